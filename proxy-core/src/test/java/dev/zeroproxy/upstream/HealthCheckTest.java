package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class HealthCheckTest {

    @Test
    void tcpIsTheDefaultsBesideHaproxys() {
        HealthCheck d = HealthCheck.tcp();
        assertEquals(Duration.ofSeconds(2), d.interval());
        assertEquals(Duration.ofSeconds(1), d.timeout());
        assertEquals(2, d.rise());
        assertEquals(3, d.fall());
        assertEquals(0.1, d.jitter());
        assertEquals(0, d.send().length);
        assertFalse(d.expectsReply());
        assertEquals(d, HealthCheck.builder().build());
        assertEquals("HealthCheck{interval=2s, timeout=1s, rise=2, fall=3, jitter=0.1}", d.toString());
    }

    @Test
    void aTimeoutLongerThanTheIntervalIsCappedToIt() {
        assertEquals(Duration.ofMillis(500), HealthCheck.builder().interval(Duration.ofMillis(500)).build().timeout());
        assertEquals(Duration.ofMillis(200), HealthCheck.builder().interval(Duration.ofMillis(500))
                .timeout(Duration.ofMillis(200)).build().timeout());
    }

    @Test
    void sendAndExpectAreCopiedAndShownEscaped() {
        byte[] ping = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pong = {'+', 'P', 0, (byte) 0xff, '\''};
        HealthCheck c = HealthCheck.builder().send(ping).expect(pong).build();
        ping[0] = 'X';
        assertArrayEquals("PING\r\n".getBytes(StandardCharsets.US_ASCII), c.send());
        c.expect()[0] = 'X';
        assertEquals('+', c.expect()[0]);
        assertTrue(c.expectsReply());
        assertTrue(c.toString().endsWith("send='PING\\r\\n', expect='+P\\x00\\xff\\''}"), c.toString());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void eachBadValueIsReportedWithItsSettingName() {
        bad("healthCheck.interval", () -> HealthCheck.builder().interval(Duration.ofMillis(9)).build());
        bad("healthCheck.interval", () -> HealthCheck.builder().interval(Duration.ofSeconds(-1)).build());
        bad("healthCheck.interval", () -> HealthCheck.builder().interval(Duration.ofDays(2)).build());
        bad("healthCheck.timeout", () -> HealthCheck.builder().timeout(Duration.ZERO).build());
        bad("healthCheck.timeout", () -> HealthCheck.builder().timeout(Duration.ofNanos(999_999)).build());
        bad("healthCheck.rise", () -> HealthCheck.builder().rise(0).build());
        bad("healthCheck.rise", () -> HealthCheck.builder().rise(101).build());
        bad("healthCheck.fall", () -> HealthCheck.builder().fall(0).build());
        bad("healthCheck.jitter", () -> HealthCheck.builder().jitter(-0.01).build());
        bad("healthCheck.jitter", () -> HealthCheck.builder().jitter(0.51).build());
        bad("healthCheck.jitter", () -> HealthCheck.builder().jitter(Double.NaN).build());
        bad("healthCheck.send", () -> HealthCheck.builder().send(new byte[HealthCheck.MAX_BYTES + 1]).build());
        bad("healthCheck.expect", () -> HealthCheck.builder().expect(new byte[HealthCheck.MAX_BYTES + 1]).build());
        assertThrows(NullPointerException.class, () -> HealthCheck.builder().interval(null));
    }

    @Test
    void theMessageNamesTheRange() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> HealthCheck.builder().rise(0).build());
        assertEquals("healthCheck.rise: 0 (expected: 1..100)", e.getMessage());
        assertEquals(0, e.value());
    }

    @Test
    void theBoundsThemselvesAreValid() {
        HealthCheck c = HealthCheck.builder().interval(HealthCheck.MIN_INTERVAL).timeout(Duration.ofMillis(1))
                .rise(100).fall(1).jitter(0.5).build();
        assertEquals(Duration.ofMillis(1), c.timeout());
    }

    private static void bad(String setting, Executable build) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, build);
        assertEquals(setting, e.setting(), e.getMessage());
    }
}
