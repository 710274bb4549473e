package dev.zeroproxy.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy-wide budget of direct memory that payload may occupy while it waits for a slow
 * sink: bytes read from one socket and queued, unsent, for the other.
 *
 * <p>Each copying {@link Pump} reports what its sink still holds after every flush
 * ({@link #changed}). While the total is at or over the limit ({@link #exhausted}):
 *
 * <ul>
 *   <li>a pump flushes and reports after every read, not every read burst, and each read takes
 *       at most {@link #READ_WHILE_EXHAUSTED} bytes;
 *   <li>a direction whose sink still holds anything after that flush stops reading, and starts
 *       again once its sink has taken all of it. A direction whose sink keeps up goes on (on
 *       io_uring, where a write completes later, it waits for that completion between reads).
 * </ul>
 *
 * <p>So the directions holding unsent bytes are the ones paused and nothing is dropped: it is
 * backpressure, as for the water marks, only proxy-wide. A soft limit: totals are reported at
 * flushes, so when the budget runs out each event loop may be in the middle of a read burst it
 * learns about only at the burst's flush (a burst flushes at the latest when its sink passes
 * the high water mark); after that, each direction still reading adds at most one small read
 * before it pauses. The total stays below the limit + event loops × (high water mark + 64 KiB)
 * + directions × {@link #READ_WHILE_EXHAUSTED}. Spliced bytes wait in kernel pipes, not here,
 * and are not counted.
 *
 * <p>What it costs: nothing where the sink's kernel takes each flush whole (the common case on
 * NIO and epoll: the pump then reads one field). A sink that holds bytes after a flush gets one
 * empty marker write with a promise, whose completion re-reads what it holds; on io_uring a
 * write completes after the flush, so there that is one promise and one task per read burst.
 *
 * <p>Thread-safe: every event loop reports into it.
 */
final class MemoryBudget {
    /**
     * The most one read may take while the budget is used up, so that each direction still
     * reading can pass the budget by this much, not by a full 64 KiB read.
     */
    static final int READ_WHILE_EXHAUSTED = 2048;

    private final long limit;
    private final AtomicLong queued = new AtomicLong();
    private final LongAdder pauses = new LongAdder();

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes queued for slow sinks, proxy-wide, as last reported. */
    long queued() {
        return queued.get();
    }

    /** How many times a direction was paused for the budget. */
    long pauses() {
        return pauses.sum();
    }

    /** Whether the budget is used up: pumps then check after every read, not every burst. */
    boolean exhausted() {
        return queued.get() >= limit;
    }

    /**
     * A direction's queued bytes went from {@code before} to {@code after}.
     *
     * @return whether that direction must stop reading now: it holds bytes and the budget is used up
     */
    boolean changed(long before, long after) {
        long total = queued.addAndGet(after - before);
        return after > 0 && total >= limit;
    }

    /** A direction stopped reading for the budget. */
    void paused() {
        pauses.increment();
    }
}
