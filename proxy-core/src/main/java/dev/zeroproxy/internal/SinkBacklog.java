package dev.zeroproxy.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;

/**
 * What one direction's sink still holds, as the proxy-wide {@link MemoryBudget} counts it, and
 * whether the budget has paused that direction. The {@link Pump} reports after each flush
 * ({@link #report}); when the budget says so, the direction is told to stop reading, and once the
 * sink has taken everything, to resume.
 *
 * <p>How a drain is seen: while the sink holds anything, one empty marker write with a promise
 * sits behind those bytes; its completion means the sink took everything queued before it.
 * Where the sink's kernel takes each flush whole (the common case on NIO and epoll) nothing is
 * held, and the pump does not even make one of these (see {@code Pump.flushNow}): an idle pair
 * costs no more for the budget.
 *
 * <p>Used only on the pair's event loop.
 */
final class SinkBacklog {

    /** The direction whose reads the budget pauses: the {@link Pump}. */
    interface Reader {
        /** Whether the direction copies now, so that pausing its reads means anything. */
        boolean copying();

        /** Stop reading, for the budget. */
        void pauseForBudget();

        /** The sink took everything: read again, if the direction still may (it may have ended meanwhile). */
        void resumeAfterBudget();
    }

    private final MemoryBudget budget;
    private final Channel sink;
    private final Reader reader;
    /** What the sink held at the last report, as counted in the budget. */
    private long queued;
    /** A marker write sits in the sink's queue. */
    private boolean drainWatched;
    private boolean paused;

    SinkBacklog(MemoryBudget budget, Channel sink, Reader reader) {
        this.budget = budget;
        this.sink = sink;
        this.reader = reader;
    }

    /** Whether the budget holds this direction's reading off. */
    boolean paused() {
        return paused;
    }

    /** Reports what the sink holds now, after a flush, and pauses the direction if the budget says so. */
    void report() {
        // (The pump makes this object only once its sink held bytes after a flush.)
        long before = queued;
        long now = pendingInSink();
        if (now != before) {
            queued = now;
            if (budget.changed(before, now) && !paused && reader.copying()) {
                paused = true;
                budget.paused();
                reader.pauseForBudget();
            }
        }
        if (now > 0 && !drainWatched) {
            watchDrain();
        }
    }

    private void watchDrain() {
        drainWatched = true;
        ChannelPromise marker = sink.newPromise();
        // Netty completes a write's promise before it subtracts the write from the pending
        // bytes, so the count is read again in a task, once the marker is gone from it.
        marker.addListener(written -> {
            if (!sink.eventLoop().isShuttingDown()) {
                sink.eventLoop().execute(this::drained);
            }
        });
        sink.write(Unpooled.EMPTY_BUFFER, marker);
        sink.flush();
    }

    /** The marker was written (or failed, the sink closing): report again, and resume if paused. */
    private void drained() {
        drainWatched = false;
        report();
        if (paused && queued == 0) {
            paused = false;
            reader.resumeAfterBudget();
        }
    }

    /** Bytes written to the sink and not yet taken by its kernel (with Netty's per-write overhead); 0 once it is closed. */
    private long pendingInSink() {
        ChannelOutboundBuffer pending = sink.unsafe().outboundBuffer();
        return pending == null ? 0 : pending.totalPendingWriteBytes();
    }
}
