package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * Picks the server for one connect attempt. {@link Balance} names the built-in ones; a user may
 * write another.
 *
 * <p>The group calls {@link #serversChanged} with the full list of its servers (usable or not,
 * primaries or backups, always in the group's order) before the first pick and after every change
 * to the list or to a weight; calls to it are serialized, but picks may run concurrently with it
 * and with each other, on every event loop. An implementation must therefore be thread-safe and
 * must not block: a pick is on the connection's event loop.
 */
public interface Balancer {

    /**
     * The group's servers changed (added, removed, a weight changed). Builds whatever the balancer
     * keeps per server (a hash ring, current weights); later picks see the new list.
     *
     * @param servers every server of the group, in the group's order; not empty
     */
    void serversChanged(List<? extends UpstreamServer> servers);

    /**
     * Picks a server for a connection from {@code client}, among the servers {@code usable}
     * accepts (up, not draining, below its connection limit, not tried yet by this connection).
     *
     * @param client the real client: the socket peer, or what an accepted PROXY protocol header said;
     *     source hashing keys on its IP address
     * @param usable which servers may be picked now; evaluating it is cheap
     * @return the server, or null when {@code usable} accepts none of the servers
     */
    UpstreamServer pick(InetSocketAddress client, Predicate<? super UpstreamServer> usable);
}
