package dev.zeroproxy.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connect attempts to one server of one backend and how many failed, as every frontend's
 * listener hears them. Counted in {@link LongAdder}s on the event loops (one increment per
 * attempt, nothing per byte) and read by {@link FunctionCounter}s at a scrape, so counting does
 * not wait for the registry and nothing heard before binding is lost.
 */
final class ServerCounters {
    final String backend;
    final String server;
    /**
     * The frontend whose name stands in for an unnamed upstream's backend (removed with that
     * frontend), or null for a named backend (removed with it).
     */
    final String ownerFrontend;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder failures = new LongAdder();
    final MeterSet meters = new MeterSet();

    ServerCounters(String backend, String server, String ownerFrontend) {
        this.backend = backend;
        this.server = server;
        this.ownerFrontend = ownerFrontend;
    }

    /** One attempt that connected. */
    void connected() {
        attempts.increment();
    }

    /** One attempt that failed (refused, reset, timed out). */
    void failed() {
        attempts.increment();
        failures.increment();
    }

    /** Registers the two counters; under {@link ProxyMetrics}'s lock. */
    void register(MeterRegistry registry) {
        Tags tags = Tags.of(MeterNames.BACKEND, backend, MeterNames.SERVER, server);
        meters.add(FunctionCounter.builder(MeterNames.CONNECT_ATTEMPTS, attempts, LongAdder::doubleValue)
                .tags(tags)
                .description("Upstream connect attempts to the server, those that failed included")
                .register(registry));
        meters.add(FunctionCounter.builder(MeterNames.CONNECT_FAILURES, failures, LongAdder::doubleValue)
                .tags(tags)
                .description("Upstream connect attempts to the server that failed (refused, reset, timed out)")
                .register(registry));
    }
}
