package dev.zeroproxy.internal;

import java.util.concurrent.ScheduledFuture;

/**
 * One direction's rate limit, set through a connection handle: a token bucket of bytes that
 * fills at the limit and holds at most {@link #BURST_NANOS} of it. A read takes what it moved,
 * and may leave the bucket below zero (a read is not cut short after the fact); the direction
 * then waits, reads off, until the bucket is back above zero. Reads are sized to what the
 * bucket holds ({@link #allowance}), so the overshoot stays small. Used on the pump's event
 * loop only.
 */
final class ReadRateLimit {
    /** The bucket's depth: 100 ms of the rate, so a paused direction does not come back with a burst. */
    static final long BURST_NANOS = 100_000_000L;
    /** How much of the rate a wait lets accumulate before reading again: 10 ms. */
    private static final long RESUME_NANOS = 10_000_000L;
    /** The smallest read asked for, so that a slow limit does not turn into one-byte reads. */
    private static final int MIN_READ = 1024;

    private final long bytesPerSecond;
    private final double depth;
    private double tokens;
    private long lastNanos;
    private boolean waiting;
    private ScheduledFuture<?> timer;

    ReadRateLimit(long bytesPerSecond, long nowNanos) {
        this.bytesPerSecond = bytesPerSecond;
        this.depth = Math.max(MIN_READ, bytesPerSecond * (BURST_NANOS / 1e9));
        this.tokens = depth;
        this.lastNanos = nowNanos;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    private void refill(long nowNanos) {
        tokens = Math.min(depth, tokens + (nowNanos - lastNanos) * (bytesPerSecond / 1e9));
        lastNanos = nowNanos;
    }

    /** Takes {@code bytes} just read; true if the direction must now wait ({@link #nanosUntilAllowed}). */
    boolean consumed(int bytes, long nowNanos) {
        refill(nowNanos);
        tokens -= bytes;
        return tokens <= 0;
    }

    /** The most the next read should ask for: what the bucket holds, at least {@value #MIN_READ}. */
    int allowance(long nowNanos) {
        refill(nowNanos);
        return (int) Math.max(MIN_READ, Math.min(Integer.MAX_VALUE, tokens));
    }

    /**
     * How long until the bucket holds enough for a worthwhile read: 10 ms of the rate (at least
     * {@value #MIN_READ} bytes, at most the bucket's depth). Waiting only until it is above zero
     * would make a high limit a stream of tiny reads, each with a timer and two interest changes.
     */
    long nanosUntilAllowed(long nowNanos) {
        refill(nowNanos);
        double wanted = Math.min(depth, Math.max(MIN_READ, bytesPerSecond * (RESUME_NANOS / 1e9)));
        double missing = wanted - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * 1e9 / bytesPerSecond);
    }

    /** Keeps the timer of the current wait, so that a new limit or the connection's end can cancel it. */
    void waitWith(ScheduledFuture<?> timer) {
        this.timer = timer;
    }

    /** Cancels the current wait's timer, if any (the direction is then not waiting). */
    void cancelWait() {
        waiting = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Whether the direction is waiting for the bucket (its reads are off until then). */
    boolean waiting() {
        return waiting;
    }

    void waiting(boolean waiting) {
        this.waiting = waiting;
    }
}
