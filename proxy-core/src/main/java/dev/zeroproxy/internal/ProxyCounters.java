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
    /** Bytes that went through a user-space buffer; everything else read was spliced. */
    final LongAdder copied = new LongAdder();

    void bytesRead(Direction direction, int bytes) {
        (direction == Direction.FROM_CLIENT ? fromClients : fromUpstreams).add(bytes);
    }

    ProxyStats snapshot(PooledByteBufAllocator allocator) {
        long fromClientsNow = fromClients.sum();
        long fromUpstreamsNow = fromUpstreams.sum();
        // Reads are counted a moment before the pump counts the copy, so clamp the difference.
        long spliced = Math.max(0, fromClientsNow + fromUpstreamsNow - copied.sum());
        return new ProxyStats(accepted.sum(), active.sum(), openChannels.sum(), connectFailures.sum(),
                fromClientsNow, fromUpstreamsNow, spliced, allocator.metric().usedDirectMemory());
    }
}
