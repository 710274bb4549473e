package dev.zeroproxy.internal;

import java.time.Instant;

/**
 * Wall-clock instants of {@link System#nanoTime()} readings, against one pair of readings taken
 * at class load: the same reading always gives the same instant, however the wall clock is
 * adjusted later (a relay keeps only its start's nano time).
 */
final class ProcessClock {
    private static final Instant BASE = Instant.now();
    private static final long BASE_NANOS = System.nanoTime();

    private ProcessClock() { }

    static Instant instantOf(long nanoTime) {
        return BASE.plusNanos(nanoTime - BASE_NANOS);
    }
}
