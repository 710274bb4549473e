package dev.zeroproxy.upstream;

import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which server of a group one connect attempt gets, and its slot taken there: a server that is
 * up and below its limit, one this connection has not failed on yet while there is one
 * (redispatch), a backup only while no primary is up, and among those whatever the balancer
 * picks. Stateless apart from the balancer; called on every event loop.
 */
final class ServerChoice {
    /** A pick can lose the last slot to another loop between the look and the take: pick again, this often. */
    private static final int PICKS = 3;

    private final Balancer balancer;

    ServerChoice(Balancer balancer) {
        this.balancer = balancer;
    }

    /** The server for {@code attempt} among {@code servers}, with a slot taken on it; null when none can take it. */
    GroupServer pick(List<GroupServer> servers, UpstreamAttempt attempt) {
        List<UpstreamLease> failed = attempt.failedBefore();
        // The real client (what an accepted PROXY header said), so that source hashing keys on it.
        InetSocketAddress client = attempt.connection().originalClient();
        // Backups only while no primary is up: primaries that are up but full make the
        // connection wait for one of them, as in HAProxy.
        boolean backups = !anyUp(servers, false);
        GroupServer server = pickWhere(client, s -> s.backup() == backups && !triedBefore(s, failed));
        if (server == null && !failed.isEmpty()) {
            // Every other usable server failed this connection: the same one again rather than none.
            server = pickWhere(client, s -> s.backup() == backups);
        }
        return server;
    }

    private GroupServer pickWhere(InetSocketAddress client, Predicate<GroupServer> eligible) {
        for (int tries = 0; tries < PICKS; tries++) {
            UpstreamServer picked = balancer.pick(client, s -> s instanceof GroupServer g
                    && g.takesConnection() && eligible.test(g));
            if (picked == null) {
                return null;
            }
            GroupServer server = (GroupServer) picked;
            if (server.tryAcquire()) {
                return server;
            }
        }
        return null;
    }

    private static boolean triedBefore(GroupServer server, List<UpstreamLease> failed) {
        for (UpstreamLease lease : failed) {
            if (lease instanceof GroupLease g && g.server() == server) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyUp(List<GroupServer> servers, boolean backup) {
        for (GroupServer server : servers) {
            if (server.backup() == backup && server.state().takesConnections()) {
                return true;
            }
        }
        return false;
    }

    /** Whether some server is up but at its limit: a connection may wait for it. */
    static boolean anyFull(List<GroupServer> servers) {
        for (GroupServer server : servers) {
            if (server.isFull()) {
                return true;
            }
        }
        return false;
    }

    /** "a DOWN, b DRAINING": for a refusal's message. */
    static String describeStates(List<GroupServer> servers) {
        StringBuilder states = new StringBuilder();
        for (GroupServer server : servers) {
            states.append(states.length() == 0 ? "" : ", ").append(server.name()).append(' ').append(server.state());
        }
        return states.toString();
    }
}
