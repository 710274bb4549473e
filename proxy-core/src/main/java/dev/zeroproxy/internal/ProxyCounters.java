package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyStats;
import io.netty.buffer.PooledByteBufAllocator;
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

    void bytesRead(Direction direction, int bytes) {
        (direction == Direction.FROM_CLIENT ? fromClients : fromUpstreams).add(bytes);
    }

    ProxyStats snapshot(PooledByteBufAllocator allocator, MemoryBudget budget) {
        return new ProxyStats(accepted.sum(), active.sum(), openChannels.sum(), connectFailures.sum(),
                fromClients.sum(), fromUpstreams.sum(), copied.sum(), spliced.sum(),
                allocator.metric().usedDirectMemory(), budget.queued(), budget.pauses());
    }
}
