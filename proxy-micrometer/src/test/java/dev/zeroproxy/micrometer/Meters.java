package dev.zeroproxy.micrometer;

import io.micrometer.core.instrument.MeterRegistry;

/** Reads one meter's value from a registry by name and tags, failing if there is no such meter. */
final class Meters {
    private final MeterRegistry registry;

    Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A function counter's count, as a long (every count here is whole). */
    long count(String name, String... tags) {
        return (long) registry.get(name).tags(tags).functionCounter().count();
    }

    /** A gauge's value. */
    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    /** How many meters of this name carry these tags. */
    int found(String name, String... tags) {
        return registry.find(name).tags(tags).meters().size();
    }
}
