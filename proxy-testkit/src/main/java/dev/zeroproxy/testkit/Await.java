package dev.zeroproxy.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that no event announces (a counter reaching zero), checking it every
 * few milliseconds up to a deadline. Prefer a latch where an event exists.
 */
public final class Await {
    private Await() { }

    /** Returns once {@code condition} holds; fails with {@code description} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + description.get());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
