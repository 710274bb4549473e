package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({
        "0, PT0S",
        "500ms, PT0.5S",
        "5s, PT5S",
        "2m, PT2M",
        "1h, PT1H",
        "1d, PT24H",
        "90s, PT1M30S",
        "0s, PT0S",
        "' 5S ', PT5S",
    })
    void parsesNumberWithUnit(String text, Duration expected) {
        assertEquals(expected, DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "30", "-5s", "5x", "s", "1.5s", "5 s", "PT5S", "5sec", "1h30m"})
    void refusesAnythingElseNamingTheTextAndTheAcceptedForms(String text) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));
        assertEquals("'" + text + "' is not a duration (expected: a whole number with a unit ms, s, m, h or d,"
                + " e.g. 500ms, 5s, 2m, 1h; or 0)", e.getMessage());
    }

    @Test
    void refusesADurationTooLongForDurationInsteadOfWrapping() {
        TypeConversionException e = assertThrows(TypeConversionException.class,
                () -> DurationConverter.parse("999999999999999999d"));
        assertTrue(e.getMessage().startsWith("'999999999999999999d' is too long a duration"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "250ms", "5s", "2m", "1h", "3d", "1500ms", "90s"})
    void formatReadsBackAsTheSameDuration(String text) {
        Duration parsed = DurationConverter.parse(text);
        assertEquals(parsed, DurationConverter.parse(DurationConverter.format(parsed)));
    }

    @Test
    void zeroIsWrittenWithAUnit() {
        assertEquals("0s", DurationConverter.format(Duration.ZERO));
    }

    @Test
    void formatUsesTheLargestExactUnit() {
        assertEquals("30s", DurationConverter.format(Duration.ofSeconds(30)));
        assertEquals("1h", DurationConverter.format(Duration.ofMinutes(60)));
        assertEquals("90s", DurationConverter.format(Duration.ofSeconds(90)));
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
    }
}
