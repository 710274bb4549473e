package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void timesTakeHaproxysUnitsAndNoUnitMeansMilliseconds() {
        assertEquals(Duration.ofMillis(250), Values.time("250").value());
        assertEquals(Duration.ofNanos(1500_000), Values.time("1500us").value());
        assertEquals(Duration.ofMillis(250), Values.time("250ms").value());
        assertEquals(Duration.ofSeconds(5), Values.time("5s").value());
        assertEquals(Duration.ofMinutes(2), Values.time("2m").value());
        assertEquals(Duration.ofHours(3), Values.time("3h").value());
        assertEquals(Duration.ofDays(1), Values.time("1d").value());
        assertEquals(Duration.ZERO, Values.time("0").value());
    }

    @Test
    void theLongestTimeIsHaproxysIntOfMilliseconds() {
        assertEquals(Duration.ofMillis(Integer.MAX_VALUE), Values.time("2147483647").value());
        assertFalse(Values.time("2147483648").ok());
        assertFalse(Values.time("24d").ok() && Values.time("25d").ok());
        assertFalse(Values.time("99999999999999999999999h").ok());
    }

    @Test
    void timesRefuseSignsFractionsSpacesAndOtherUnits() {
        for (String text : new String[] {"", "s", "-1s", "+1s", "1.5s", "1 s", "5S", "1sec", "1ms5", "0x10"}) {
            assertFalse(Values.time(text).ok(), text);
        }
    }

    @Test
    void sizesTakeBinarySuffixesInEitherCase() {
        assertEquals(100L, Values.size("100").value());
        assertEquals(64L * 1024, Values.size("64k").value());
        assertEquals(64L * 1024, Values.size("64K").value());
        assertEquals(3L << 20, Values.size("3m").value());
        assertEquals(2L << 30, Values.size("2G").value());
        assertFalse(Values.size("1t").ok());
        assertFalse(Values.size("1.5k").ok());
        assertFalse(Values.size("99999999999999g").ok());
    }

    @Test
    void countsAreWholeNumbersInTheirRange() {
        assertEquals(0, Values.count("0").value());
        assertEquals(Integer.MAX_VALUE, Values.count("2147483647").value());
        assertEquals(7, Values.count("007").value());
        assertFalse(Values.count("2147483648").ok());
        assertFalse(Values.count("-1").ok());
        assertFalse(Values.count("").ok());
        assertFalse(Values.count("1e3").ok());
        assertFalse(Values.count("٣").ok()); // an Arabic-Indic digit is a digit to Java, not to HAProxy
        assertEquals(256, Values.count("256", 0, 256).value());
        assertFalse(Values.count("257", 0, 256).ok());
    }
}
