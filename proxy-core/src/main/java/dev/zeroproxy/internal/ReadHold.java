package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What holds one direction's reads besides its sink, set through a connection handle: its rate
 * limit, and the {@link ReadGate} that keeps Netty from reading while the direction is held (by
 * the limit or by an operator's pause of the pair). A {@link Pump} makes one the first time a
 * pause or a limit touches it; a direction never paused or limited has none, and its byte path
 * tests one null field. Used on the pump's event loop only.
 */
final class ReadHold {
    /** Whether the direction is held now (the pump's answer: a pause, a closing pair, a rate-limit wait). */
    private final BooleanSupplier held;
    /** Reads again once nothing holds the direction (the pump's {@link Pump#readAgain()}). */
    private final Runnable readAgain;
    private ReadRateLimit rateLimit;
    private ReadGate gate;

    ReadHold(BooleanSupplier held, Runnable readAgain) {
        this.held = held;
        this.readAgain = readAgain;
    }

    /**
     * Stops reading {@code source} now, and keeps it stopped while the direction is held, even
     * against Netty's own splice turning reading back on.
     */
    void stop(Channel source) {
        if (gate == null) {
            gate = new ReadGate(held);
            source.pipeline().addLast("read-gate", gate);
        }
        if (!source.config().isAutoRead()) {
            // AUTO_READ may be off with the read interest still on (a channel registered reading,
            // see Transport.prepareReadingChannel): turning it on (its read request dropped by the
            // gate) and off again is what clears the interest.
            source.config().setAutoRead(true);
        }
        source.config().setAutoRead(false);
    }

    /** Whether the rate limit has the direction waiting for its bucket. */
    boolean waiting() {
        return rateLimit != null && rateLimit.waiting();
    }

    /** Whether a rate limit is set. */
    boolean limited() {
        return rateLimit != null;
    }

    /**
     * A new rate limit, in bytes per second (0: none); a wait for the old one ends now and the
     * direction reads again if nothing else holds it.
     */
    void limit(long bytesPerSecond) {
        boolean wasWaiting = waiting();
        if (rateLimit != null) {
            rateLimit.cancelWait();
        }
        rateLimit = bytesPerSecond == 0 ? null : new ReadRateLimit(bytesPerSecond, System.nanoTime());
        if (wasWaiting) {
            readAgain.run();
        }
    }

    /** The rate limit in bytes per second, 0 for none. */
    long limit() {
        return rateLimit == null ? 0 : rateLimit.bytesPerSecond();
    }

    /** {@code cap}, or less if the rate limit allows less now. */
    int cap(int cap) {
        return rateLimit == null ? cap : Math.min(cap, rateLimit.allowance(System.nanoTime()));
    }

    /**
     * {@code bytes} were read from {@code source} (null before the pump started): over the limit,
     * reads stop (the one in progress ends after this buffer) until the bucket refills.
     */
    void counted(int bytes, long nowNanos, Channel source) {
        if (rateLimit == null || !rateLimit.consumed(bytes, nowNanos) || rateLimit.waiting() || source == null) {
            return;
        }
        ReadRateLimit limit = rateLimit;
        limit.waiting(true);
        stop(source);
        limit.waitWith(source.eventLoop().schedule(() -> {
            if (rateLimit == limit) {
                limit.waiting(false);
                readAgain.run();
            }
        }, limit.nanosUntilAllowed(System.nanoTime()), TimeUnit.NANOSECONDS));
    }

    /** The connection has closed: no timer of the limit's may keep it. */
    void ended() {
        if (rateLimit != null) {
            rateLimit.cancelWait();
        }
    }
}
