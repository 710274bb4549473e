package dev.zeroproxy;

import dev.zeroproxy.edge.ConnectionRefusal;
import java.util.Map;

/**
 * A snapshot of a proxy's counters, taken by {@link Proxy#stats()}.
 *
 * <p>Counters only grow over the proxy's life; {@code activeConnections}, {@code openChannels},
 * {@code directMemoryUsed} and {@code bytesQueued} are gauges. Bytes count payload read from one side and handed
 * to the other.
 *
 * @param acceptedConnections client connections accepted
 * @param activeConnections connections accepted and not yet closed
 * @param openChannels sockets (client and upstream) the proxy holds open right now
 * @param upstreamConnectFailures upstream connects that failed or timed out
 * @param bytesFromClients bytes read from clients and forwarded upstream
 * @param bytesFromUpstreams bytes read from upstreams and forwarded to clients
 * @param bytesCopied of all those bytes, the ones forwarded through a user-space buffer
 * @param bytesSpliced of all those bytes, the ones moved by kernel {@code splice()}
 * @param directMemoryUsed bytes of direct memory the proxy's pooled buffer allocator holds
 * @param bytesQueued bytes read and waiting in the proxy's buffers for a slow sink, the figure
 *     {@link ProxyBuilder#directMemoryBudget(long)} limits (as last reported after each flush)
 * @param memoryBudgetPauses times a connection's direction stopped reading because the
 *     proxy-wide direct-memory budget was used up
 * @param refusedConnections connections refused at the edge, by reason (every reason present,
 *     0 where none was refused for it); these are not in {@code acceptedConnections}
 */
public record ProxyStats(
        long acceptedConnections,
        long activeConnections,
        long openChannels,
        long upstreamConnectFailures,
        long bytesFromClients,
        long bytesFromUpstreams,
        long bytesCopied,
        long bytesSpliced,
        long directMemoryUsed,
        long bytesQueued,
        long memoryBudgetPauses,
        Map<ConnectionRefusal.Reason, Long> refusedConnections) {

    /** Copies the refusal counts. */
    public ProxyStats {
        refusedConnections = Map.copyOf(refusedConnections);
    }

    /**
     * The figures of several proxies together (a configuration file's frontends): each count
     * summed, except {@code directMemoryUsed}, which is the allocator's they share: the largest.
     */
    public static ProxyStats sum(java.util.Collection<ProxyStats> all) {
        Map<ConnectionRefusal.Reason, Long> refused = new java.util.EnumMap<>(ConnectionRefusal.Reason.class);
        for (ConnectionRefusal.Reason reason : ConnectionRefusal.Reason.values()) {
            refused.put(reason, 0L);
        }
        ProxyStats total = new ProxyStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, refused);
        for (ProxyStats s : all) {
            s.refusedConnections.forEach((reason, count) -> refused.merge(reason, count, Long::sum));
            total = new ProxyStats(
                    total.acceptedConnections + s.acceptedConnections,
                    total.activeConnections + s.activeConnections,
                    total.openChannels + s.openChannels,
                    total.upstreamConnectFailures + s.upstreamConnectFailures,
                    total.bytesFromClients + s.bytesFromClients,
                    total.bytesFromUpstreams + s.bytesFromUpstreams,
                    total.bytesCopied + s.bytesCopied,
                    total.bytesSpliced + s.bytesSpliced,
                    Math.max(total.directMemoryUsed, s.directMemoryUsed),
                    total.bytesQueued + s.bytesQueued,
                    total.memoryBudgetPauses + s.memoryBudgetPauses,
                    refused);
        }
        return total;
    }

    /** Connections refused at the edge, whatever the reason. */
    public long refusedConnectionsTotal() {
        long total = 0;
        for (long count : refusedConnections.values()) {
            total += count;
        }
        return total;
    }

    /**
     * Bytes read in both directions. Equal to {@code bytesCopied + bytesSpliced} once the
     * connections are closed, but for bytes read and never forwarded: those a client sent before
     * its upstream connect failed (transports that read before the connect completes, such as
     * epoll, hold them, and they go with the connection), and any lost to a bug.
     */
    public long bytesForwarded() {
        return bytesFromClients + bytesFromUpstreams;
    }
}
