package dev.zeroproxy.internal;

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
    /** The smallest read asked for, so that a slow limit does not turn into one-byte reads. */
    private static final int MIN_READ = 1024;

    private final long bytesPerSecond;
    private final double depth;
    private double tokens;
    private long lastNanos;
    private boolean waiting;

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

    /** How long until the bucket is above zero again (and a {@value #MIN_READ}-byte read is covered). */
    long nanosUntilAllowed(long nowNanos) {
        refill(nowNanos);
        double missing = MIN_READ - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * 1e9 / bytesPerSecond);
    }

    /** Whether the direction is waiting for the bucket (its reads are off until then). */
    boolean waiting() {
        return waiting;
    }

    void waiting(boolean waiting) {
        this.waiting = waiting;
    }
}
