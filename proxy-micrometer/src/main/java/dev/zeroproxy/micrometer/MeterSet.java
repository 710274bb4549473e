package dev.zeroproxy.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters one part (a frontend, a backend, a server) registered, so that removing the part
 * removes exactly them. Not thread-safe: {@link ProxyMetrics} calls it under its lock.
 */
final class MeterSet {
    private final List<Meter> meters = new ArrayList<>();

    /** Keeps {@code meter} for {@link #removeFrom}; returns it. */
    <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Whether nothing is registered. */
    boolean isEmpty() {
        return meters.isEmpty();
    }

    /** Removes every meter kept from {@code registry}, and forgets them. */
    void removeFrom(MeterRegistry registry) {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }
}
