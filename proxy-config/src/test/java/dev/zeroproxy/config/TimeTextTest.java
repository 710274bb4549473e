package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Durations written back in a file's words, as error messages show them. */
class TimeTextTest {

    @Test
    void eachDurationTakesTheLargestExactUnit() {
        assertEquals("0", TimeText.of(Duration.ZERO));
        assertEquals("2d", TimeText.of(Duration.ofDays(2)));
        assertEquals("36h", TimeText.of(Duration.ofHours(36)));
        assertEquals("2m", TimeText.of(Duration.ofSeconds(120)));
        assertEquals("90s", TimeText.of(Duration.ofSeconds(90)));
        assertEquals("250ms", TimeText.of(Duration.ofMillis(250)));
        assertEquals("1500ms", TimeText.of(Duration.ofMillis(1500)));
        assertEquals("500us", TimeText.of(Duration.ofNanos(500_000)));
        assertEquals("1001us", TimeText.of(Duration.ofNanos(1_001_000)));
    }

    @Test
    void whatNoUnitOfHaproxyWritesIsInNanoseconds() {
        assertEquals("1ns", TimeText.of(Duration.ofNanos(1)));
        assertEquals("1000000001ns", TimeText.of(Duration.ofSeconds(1, 1)));
    }

    @Test
    void aNegativeDurationKeepsItsSign() {
        assertEquals("-1s", TimeText.of(Duration.ofSeconds(-1)));
        assertEquals("-250ms", TimeText.of(Duration.ofMillis(-250)));
    }

    @Test
    void aDurationTooLongForNanosecondsIsWrittenInDays() {
        assertEquals("106751992d", TimeText.of(Duration.ofDays(106_751_992)));
        assertEquals(Long.MAX_VALUE / 86_400 + "d", TimeText.of(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    @Test
    void whatItWritesReadsBackAsTheSameDuration() {
        SplittableRandom random = new SplittableRandom(42);
        List<ChronoUnit> units = List.of(ChronoUnit.MICROS, ChronoUnit.MILLIS, ChronoUnit.SECONDS, ChronoUnit.MINUTES,
                ChronoUnit.HOURS, ChronoUnit.DAYS);
        for (int i = 0; i < 10_000; i++) {
            ChronoUnit unit = units.get(random.nextInt(units.size()));
            // Within HAProxy's longest time (2^31 - 1 ms), which the parser enforces.
            long most = Duration.ofMillis(Integer.MAX_VALUE).toNanos() / unit.getDuration().toNanos();
            Duration duration = Duration.of(random.nextLong(most + 1), unit);
            String text = TimeText.of(duration);

            Parsed<Duration> read = Values.time(text);

            assertTrue(read.ok(), () -> text + ": " + read);
            assertEquals(duration, read.value(), text);
        }
    }
}
