package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.edge.ConnectionRefusal;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The proxy-wide counters behind {@link ProxyStats}; written from every event loop. */
final class ProxyCounters {
    final LongAdder accepted = new LongAdder();
    final LongAdder active = new LongAdder();
    final LongAdder openChannels = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder fromClients = new LongAdder();
    final LongAdder fromUpstreams = new LongAdder();
    /** Bytes forwarded through a user-space buffer. */
    final LongAdder copied = new LongAdder();
    /** Bytes moved by kernel splice. */
    final LongAdder spliced = new LongAdder();

    /** Connections refused at the edge, by reason. */
    final Map<ConnectionRefusal.Reason, LongAdder> refused = refusalCounters();

    private static Map<ConnectionRefusal.Reason, LongAdder> refusalCounters() {
        Map<ConnectionRefusal.Reason, LongAdder> counters = new EnumMap<>(ConnectionRefusal.Reason.class);
        for (ConnectionRefusal.Reason reason : ConnectionRefusal.Reason.values()) {
            counters.put(reason, new LongAdder());
        }
        return counters;
    }

    void bytesRead(Direction direction, int bytes) {
        (direction == Direction.FROM_CLIENT ? fromClients : fromUpstreams).add(bytes);
    }

    ProxyStats snapshot(PooledByteBufAllocator allocator, MemoryBudget budget) {
        return new ProxyStats(accepted.sum(), active.sum(), openChannels.sum(), connectFailures.sum(),
                fromClients.sum(), fromUpstreams.sum(), copied.sum(), spliced.sum(),
                allocator.metric().usedDirectMemory(), budget.queued(), budget.pauses(), refusedCounts());
    }

    private Map<ConnectionRefusal.Reason, Long> refusedCounts() {
        Map<ConnectionRefusal.Reason, Long> counts = new EnumMap<>(ConnectionRefusal.Reason.class);
        refused.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }
}
