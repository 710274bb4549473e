package dev.zeroproxy.examples.forwarder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * At most one log line a second for one kind of event, however many happen: an upstream that
 * goes down with ten thousand clients connected must not write ten thousand lines. The lines
 * left out are counted, and the next line that is written says how many. Thread-safe: events
 * come from every event loop.
 */
final class RateLimitedLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong nextLineNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * Writes the line with {@code write} (given the suffix to append: empty, or how many lines
     * were left out since the last one) if a second has passed since the last line; otherwise
     * only counts it.
     */
    void log(Consumer<String> write) {
        long now = System.nanoTime();
        long next = nextLineNanos.get();
        if (now - next < 0 || !nextLineNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        write.accept(left == 0 ? "" : " (and " + left + " more like it since the last such line)");
    }
}
