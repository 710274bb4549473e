package dev.zeroproxy.micrometer;

import java.util.function.Supplier;

/**
 * A value computed at most once per {@code ttlNanos}: one scrape reads a dozen meters of one
 * frontend, and each would otherwise take its own {@code Proxy.stats()} snapshot (which sums
 * every counter of every event loop). A scrape then sees one consistent snapshot, and the next
 * scrape, seconds later, a fresh one. Thread-safe: two threads that race may both compute, which
 * costs a snapshot and is otherwise harmless.
 */
final class Memo<T> {
    /** Long enough to cover one scrape of every meter, far shorter than any scrape interval. */
    static final long DEFAULT_TTL_NANOS = 100_000_000L;

    /** One computed value and when; replaced whole, so a reader never sees a half-updated pair. */
    private record Taken<T>(T value, long atNanos) { }

    private final Supplier<T> compute;
    private final long ttlNanos;
    private volatile Taken<T> last;

    Memo(Supplier<T> compute, long ttlNanos) {
        this.compute = compute;
        this.ttlNanos = ttlNanos;
    }

    T get() {
        long now = System.nanoTime();
        Taken<T> taken = last;
        if (taken == null || now - taken.atNanos >= ttlNanos) {
            taken = new Taken<>(compute.get(), now);
            last = taken;
        }
        return taken.value;
    }

    /** Forgets the value, so that the next read computes afresh: after what it is computed from changed. */
    void invalidate() {
        last = null;
    }
}
