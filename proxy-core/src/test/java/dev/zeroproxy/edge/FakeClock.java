package dev.zeroproxy.edge;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanoTime that moves only when told; starts near the top of the range to catch overflow mistakes. */
final class FakeClock implements LongSupplier {
    private volatile long now = Long.MAX_VALUE - Duration.ofSeconds(5).toNanos();

    @Override
    public long getAsLong() {
        return now;
    }

    void advance(Duration by) {
        now += by.toNanos();
    }
}
