package dev.zeroproxy.examples.forwarder;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback's asynchronous appender, which drops an event when its queue is full rather than
 * block (an event loop must never wait on a disk), saying so: the lines it drops are counted and
 * reported on the forwarder's own log, at most once every {@value #REPORT_SECONDS} seconds and
 * once more when it stops. Logback itself drops them silently.
 */
final class CountingAsyncAppender extends AsyncAppender {
    private static final Logger LOGGER = LoggerFactory.getLogger(CountingAsyncAppender.class);
    static final long REPORT_SECONDS = 10;

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong lastReportNanos = new AtomicLong(System.nanoTime());

    @Override
    protected void append(ILoggingEvent event) {
        if (getRemainingCapacity() == 0) {
            // Full: the event is about to be dropped (neverBlock). The writer thread may take one
            // meanwhile, so the count is approximate, by a line or so.
            dropped.incrementAndGet();
            long last = lastReportNanos.get();
            long now = System.nanoTime();
            if (now - last >= TimeUnit.SECONDS.toNanos(REPORT_SECONDS) && lastReportNanos.compareAndSet(last, now)) {
                report();
            }
        }
        super.append(event);
    }

    private void report() {
        long total = dropped.get();
        long since = total - reported.getAndSet(total);
        if (since > 0) {
            LOGGER.warn("access log: {} line(s) dropped, {} in all: its output did not keep up (a slow disk or a"
                    + " blocked stdout)", since, total);
        }
    }

    @Override
    public void stop() {
        super.stop();
        report();
    }
}
