package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The power of two choices: two distinct usable servers drawn uniformly at random, and of the
 * two the one with fewer active connections per unit of weight (as {@link LeastConnections}
 * compares them). The busiest server is never picked while another is less loaded, since one of
 * the two candidates is always another server; and unlike picking the minimum, concurrent
 * pickers reading the same lagging counts do not all land on the same server.
 *
 * <p>Lock-free and allocation-free. With every server usable (the usual case) a pick draws two
 * indices and evaluates {@code usable} twice; only when one of them is rejected does it count
 * the usable servers and draw among those, so that a group whose predicate rejects most servers
 * (backups while primaries are up, or the reverse) still gets a uniform choice.
 */
final class RandomTwoChoices implements Balancer {
    private volatile UpstreamServer[] servers = new UpstreamServer[0];

    @Override
    public void serversChanged(List<? extends UpstreamServer> servers) {
        this.servers = servers.toArray(new UpstreamServer[0]);
    }

    @Override
    public UpstreamServer pick(InetSocketAddress client, Predicate<? super UpstreamServer> usable) {
        UpstreamServer[] servers = this.servers;
        int n = servers.length;
        if (n < 2) {
            return n == 1 && usable.test(servers[0]) ? servers[0] : null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = distinctFrom(i, random.nextInt(n - 1));
        // A pair drawn from all servers and kept only if both are usable is a uniform pair of
        // usable servers; the exact draw below is uniform too, so their mixture is.
        if (usable.test(servers[i]) && usable.test(servers[j])) {
            return lighter(servers[i], servers[j]);
        }
        return pickAmongUsable(servers, usable, random);
    }

    /** Counts the usable servers, then draws two distinct ranks among them and finds them. */
    private static UpstreamServer pickAmongUsable(
            UpstreamServer[] servers, Predicate<? super UpstreamServer> usable, ThreadLocalRandom random) {
        int count = 0;
        UpstreamServer first = null;
        for (UpstreamServer server : servers) {
            if (usable.test(server)) {
                if (count++ == 0) {
                    first = server;
                }
            }
        }
        if (count < 2) {
            return first;
        }
        int a = random.nextInt(count);
        int b = distinctFrom(a, random.nextInt(count - 1));
        UpstreamServer chosenA = null;
        UpstreamServer chosenB = null;
        int rank = 0;
        for (int i = 0; i < servers.length && (chosenA == null || chosenB == null); i++) {
            UpstreamServer server = servers[i];
            if (!usable.test(server)) {
                continue;
            }
            if (rank == a) {
                chosenA = server;
            } else if (rank == b) {
                chosenB = server;
            }
            rank++;
        }
        // The predicate is live: a server may have been rejected since it was counted, and the
        // second pass then ends early. Any server found usable is still a fair answer.
        if (chosenA == null || chosenB == null) {
            return chosenA != null ? chosenA : chosenB != null ? chosenB : first;
        }
        return lighter(chosenA, chosenB);
    }

    /** Maps a draw from [0, n - 1) to one from [0, n) other than {@code taken}. */
    private static int distinctFrom(int taken, int draw) {
        return draw >= taken ? draw + 1 : draw;
    }

    /** The server with fewer active connections per unit of weight; {@code a} when equal. */
    private static UpstreamServer lighter(UpstreamServer a, UpstreamServer b) {
        // Cross-multiplied rather than divided: exact, and within a long.
        long loadA = (long) a.activeConnections() * b.weight();
        long loadB = (long) b.activeConnections() * a.weight();
        return loadB < loadA ? b : a;
    }
}
