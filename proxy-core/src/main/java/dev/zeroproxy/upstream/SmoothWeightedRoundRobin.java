package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * nginx's smooth weighted round robin ({@code ngx_http_upstream_get_peer}): on each pick every
 * usable server's current weight grows by its weight, the largest is picked and loses the total
 * of the usable weights. Over any run of picks in which the usable set and the weights stay the
 * same, each server's count is its exact share, and a heavy server's picks are interleaved with
 * the others' instead of coming in a burst.
 *
 * <p>The current weights change together on every pick, so a pick holds this object's lock:
 * a loop over the servers, no allocation. Servers {@code usable} rejects keep their current
 * weight unchanged, so the others stay exact among themselves.
 */
final class SmoothWeightedRoundRobin implements Balancer {
    private UpstreamServer[] servers = new UpstreamServer[0];
    private int[] current = new int[0];

    @Override
    public synchronized void serversChanged(List<? extends UpstreamServer> servers) {
        this.servers = servers.toArray(new UpstreamServer[0]);
        // Carrying old current weights over to a different list would favour whoever happened
        // to be ahead; nginx starts from zero on a reload too.
        this.current = new int[this.servers.length];
    }

    @Override
    public synchronized UpstreamServer pick(InetSocketAddress client, Predicate<? super UpstreamServer> usable) {
        UpstreamServer[] servers = this.servers;
        int[] current = this.current;
        int best = -1;
        int total = 0;
        for (int i = 0; i < servers.length; i++) {
            UpstreamServer server = servers[i];
            if (!usable.test(server)) {
                continue;
            }
            // Read once: a weight set at runtime may change between two reads.
            int weight = server.weight();
            current[i] += weight;
            total += weight;
            // Strictly greater: ties go to the earlier server, as in nginx, which makes the
            // sequence deterministic (5, 1, 1 gives a a b a c a a).
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        current[best] -= total;
        return servers[best];
    }
}
