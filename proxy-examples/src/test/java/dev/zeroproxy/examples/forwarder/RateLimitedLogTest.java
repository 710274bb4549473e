package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One line an interval, and every line left out is reported: with the next line, on its own, or at the stop. */
class RateLimitedLogTest {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog(INTERVAL_NANOS, n -> lines.add(n + " left out"));

    @Test
    void aBurstIsOneLineThenItsCountOnItsOwnWhenNothingFollows() throws Exception {
        for (int i = 0; i < 12; i++) {
            int n = i;
            log.log(more -> lines.add("event " + n + more));
        }
        assertEquals(List.of("event 0"), lines, "one line for the burst at first");
        awaitLines(2, Duration.ofSeconds(5));
        assertEquals(List.of("event 0", "11 left out"), lines, "the count, within the interval, without a later event");
        log.flush();
        assertEquals(2, lines.size(), "nothing counted twice");
    }

    @Test
    void anEventAfterTheIntervalCarriesTheCountAndNothingIsReportedTwice() throws Exception {
        log.log(more -> lines.add("first" + more));
        log.log(more -> lines.add("second" + more));
        log.log(more -> lines.add("third" + more));
        awaitLines(2, Duration.ofSeconds(5));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(INTERVAL_NANOS) + 100);
        log.log(more -> lines.add("fourth" + more));
        assertEquals(List.of("first", "2 left out", "fourth"), lines);
    }

    @Test
    void whileEventsKeepComingEachIntervalsLineIsAnEventsOwnWithTheCount() throws Exception {
        long end = System.nanoTime() + INTERVAL_NANOS * 3 + INTERVAL_NANOS / 2;
        int n = 0;
        while (System.nanoTime() - end < 0) {
            int event = n++;
            log.log(more -> lines.add("event " + event + more));
            Thread.sleep(5);
        }
        log.flush();
        assertTrue(lines.size() >= 4 && lines.size() <= 5, () -> "a line an interval, and the stop's: " + lines);
        // A stall of this machine longer than the grace may let a count line in; most are events' own.
        long eventsWithCount = lines.subList(1, lines.size()).stream()
                .filter(line -> line.startsWith("event ") && line.contains(" more like it")).count();
        assertTrue(eventsWithCount >= 2, () -> "an event's line with the count, each interval: " + lines);
        long reported = lines.stream().mapToLong(RateLimitedLogTest::accounted).sum();
        assertEquals(n, reported, () -> "every event accounted for once: " + lines);
    }

    /** Events a line accounts for: its own and the count it carries, or the count alone. */
    private static long accounted(String line) {
        if (line.endsWith(" left out")) {
            return Long.parseLong(line.substring(0, line.indexOf(' ')));
        }
        int more = line.indexOf(" (and ");
        return more < 0 ? 1 : 1 + Long.parseLong(line.substring(more + 6, line.indexOf(' ', more + 6)));
    }

    @Test
    void flushReportsWhatIsLeftAtOnceAndOnlyOnce() throws Exception {
        log.log(more -> lines.add("first" + more));
        log.log(more -> lines.add("second" + more));
        log.flush();
        assertEquals(List.of("first", "1 left out"), lines, "before the stop summary, not an interval later");
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(INTERVAL_NANOS) * 2);
        assertEquals(2, lines.size(), "the scheduled report finds nothing left");
    }

    @Test
    void nothingLeftOutWritesNothingMore() throws Exception {
        log.log(more -> lines.add("only" + more));
        log.flush();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(INTERVAL_NANOS) * 2);
        assertEquals(List.of("only"), lines);
    }

    private void awaitLines(int count, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (lines.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(lines.size() >= count, () -> "lines: " + lines);
    }
}
