package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations in messages read as they are written on a command line, never as Java's PT30S. */
class DurationTextTest {

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0s",
        "PT0.5S, 500ms",
        "PT1.5S, 1500ms",
        "PT30S, 30s",
        "PT90S, 90s",
        "PT2M, 2m",
        "PT1H, 1h",
        "PT24H, 1d",
        "PT0.0005S, 500us",
        "PT0.000000123S, 123ns",
        "PT-1.5S, -1500ms",
        "PT0.0015S, 1500us",
    })
    void largestWholeUnit(String duration, String text) {
        assertEquals(text, DurationText.format(Duration.parse(duration)));
    }

    @Test
    void aDurationTooLongForNanosecondsIsWrittenInDays() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        assertEquals(forever.toDays() + "d", DurationText.format(forever));
    }
}
