package dev.zeroproxy.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy-wide budget of direct memory that payload may occupy while it waits for a slow
 * sink: bytes read from one socket and queued, unsent, for the other.
 *
 * <p>Each copying {@link Pump} reports what its sink still holds after every flush
 * ({@link #changed}). While the total is at or over the limit, a direction whose sink has not
 * taken everything it was given stops reading, and starts again once its sink has taken all of
 * it; while over, a pump flushes after every read ({@link #exhausted}), so it learns this one
 * read (at most 64 KiB) later, not one read burst later. So the directions holding unsent bytes
 * are the ones paused, a direction whose sink keeps up is never held back by others' stalled
 * sinks, and nothing is dropped: it is backpressure, as for the water marks, only proxy-wide.
 *
 * <p>A soft limit. Totals are reported at flushes, so when the budget runs out each event loop
 * may be in the middle of a read burst that it learns about only at the burst's flush (a burst
 * flushes at the latest when its sink passes the high water mark); after that, each direction
 * still reading adds at most one read before it pauses. So the total stays below the limit +
 * event loops × (high water mark + one read) + directions reading × one read. Spliced bytes
 * wait in kernel pipes, not here, and are not counted; neither is a direction's holding below
 * {@link #UNCOUNTED}.
 *
 * <p>Thread-safe: every event loop reports into it.
 */
final class MemoryBudget {
    /**
     * What a direction may hold without being counted: one read (Netty's adaptive reads go up to
     * 64 KiB). Any direction may hold that much for a moment anyway, and not counting it keeps
     * the accounting off the path of every sink that keeps up.
     */
    static final long UNCOUNTED = 64 * 1024;

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
