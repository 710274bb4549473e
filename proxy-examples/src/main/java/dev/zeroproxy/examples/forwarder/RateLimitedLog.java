package dev.zeroproxy.examples.forwarder;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * At most one log line a second for one kind of event, however many happen: an upstream that
 * goes down with ten thousand clients connected must not write ten thousand lines. The lines
 * left out are counted and always reported: by the next event's line, which says how many, or,
 * when the events stopped and no such line comes, by a line of their own a little after the
 * second ({@code leftOut}), and at the latest by {@link #flush()} (the forwarder calls it before
 * its stop summary). Thread-safe: events come from every event loop.
 */
final class RateLimitedLog {
    private static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** One daemon thread for every such log of the process: it only writes the left-out counts. */
    private static final ScheduledExecutorService LEFT_OUT_REPORTS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "zeroproxy-log-counts");
        thread.setDaemon(true);
        return thread;
    });

    private final long intervalNanos;
    private final LongConsumer leftOut;
    private final AtomicLong nextLineNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();
    /** Whether this log's report task is pending: one at a time, however long a storm lasts. */
    private final AtomicBoolean reportPending = new AtomicBoolean();

    /** @param leftOut writes the line that reports this many lines left out, when no event's line has */
    RateLimitedLog(LongConsumer leftOut) {
        this(DEFAULT_INTERVAL_NANOS, leftOut);
    }

    RateLimitedLog(long intervalNanos, LongConsumer leftOut) {
        this.intervalNanos = intervalNanos;
        this.leftOut = leftOut;
    }

    /**
     * Writes the line with {@code write} (given the suffix to append: empty, or how many lines
     * were left out since the last one) if the interval has passed since the last line; otherwise
     * only counts it, and the count is reported within the interval.
     */
    void log(Consumer<String> write) {
        long now = System.nanoTime();
        long next = nextLineNanos.get();
        if (now - next < 0 || !nextLineNanos.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            scheduleReport(intervalNanos);
            return;
        }
        long left = suppressed.getAndSet(0);
        write.accept(left == 0 ? "" : " (and " + left + " more like it since the last such line)");
    }

    /** Reports the lines left out now, if any, whatever the interval: before the stop summary. */
    void flush() {
        long left = suppressed.getAndSet(0);
        if (left > 0) {
            leftOut.accept(left);
        }
    }

    private void scheduleReport(long delayNanos) {
        if (reportPending.compareAndSet(false, true)) {
            LEFT_OUT_REPORTS.schedule(this::reportWhenDue, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A line of its own for the count, once the interval has passed and no event has written its
     * line for a grace of a quarter interval after it: while events keep coming, each interval's
     * line stays an event's own, the count appended; the count's own line is for a burst that
     * ended. One line an interval at most, and one pending task per log.
     */
    private void reportWhenDue() {
        long now = System.nanoTime();
        long next = nextLineNanos.get();
        long due = next + intervalNanos / 4;
        if (suppressed.get() > 0 && now - due < 0) {
            LEFT_OUT_REPORTS.schedule(this::reportWhenDue, due - now, TimeUnit.NANOSECONDS);
            return;
        }
        if (suppressed.get() > 0 && !nextLineNanos.compareAndSet(next, now + intervalNanos)) {
            // An event's line is being written right now, and takes the count with it.
            LEFT_OUT_REPORTS.schedule(this::reportWhenDue, intervalNanos / 4, TimeUnit.NANOSECONDS);
            return;
        }
        flush();
        reportPending.set(false);
        if (suppressed.get() > 0) {
            // Counted after the flush, before the flag was down: nobody else will schedule it.
            scheduleReport(intervalNanos);
        }
    }
}
