package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Weighted least connections: the usable server with the lowest active connections per unit of
 * weight. Ties go to the first one found from a start index that moves on by one at each pick,
 * so that servers with equal loads (an idle group, or all short connections already closed)
 * take turns rather than the first in the list getting every connection.
 *
 * <p>Lock-free: the server list is an immutable array behind a volatile, the start index an
 * atomic counter. The counts read during a pick are each current but not a consistent snapshot;
 * a connection opening elsewhere in the meantime costs at most one slightly worse pick.
 */
final class LeastConnections implements Balancer {
    private volatile UpstreamServer[] servers = new UpstreamServer[0];
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public void serversChanged(List<? extends UpstreamServer> servers) {
        this.servers = servers.toArray(new UpstreamServer[0]);
    }

    @Override
    public UpstreamServer pick(InetSocketAddress client, Predicate<? super UpstreamServer> usable) {
        UpstreamServer[] servers = this.servers;
        int n = servers.length;
        if (n == 0) {
            return null;
        }
        // floorMod: the counter wraps to negative after 2^31 picks.
        int i = Math.floorMod(next.getAndIncrement(), n);
        UpstreamServer best = null;
        long bestActive = 0;
        long bestWeight = 1;
        for (int k = 0; k < n; k++, i++) {
            if (i == n) {
                i = 0;
            }
            UpstreamServer server = servers[i];
            if (!usable.test(server)) {
                continue;
            }
            long active = server.activeConnections();
            long weight = server.weight();
            // active / weight < bestActive / bestWeight without dividing: exact, and the
            // products of an int count and a weight of at most 256 fit in a long.
            if (best == null || active * bestWeight < bestActive * weight) {
                best = server;
                bestActive = active;
                bestWeight = weight;
            }
        }
        return best;
    }
}
