package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PassiveEjectionTest {

    @Test
    void defaults() {
        PassiveEjection d = PassiveEjection.defaults();
        assertTrue(d.isEnabled());
        assertEquals(5, d.consecutiveFailures());
        assertEquals(Duration.ofSeconds(10), d.baseEjection());
        assertEquals(Duration.ofSeconds(300), d.maxEjection());
        assertEquals(50, d.maxEjectionPercent());
        assertEquals(d, PassiveEjection.builder().build());
        assertEquals("PassiveEjection{consecutiveFailures=5, baseEjection=10s, maxEjection=5m, maxEjectionPercent=50}",
                d.toString());
    }

    @Test
    void disabledNeverAllowsAnEjection() {
        PassiveEjection off = PassiveEjection.disabled();
        assertFalse(off.isEnabled());
        assertFalse(off.allowsEjection(0, 10));
        assertEquals("PassiveEjection{disabled}", off.toString());
        assertTrue(off.toBuilder().build().isEnabled(), "a builder builds an enabled one");
    }

    @Test
    void oneServerMayAlwaysBeEjectedSoAGroupOfTwoCanEjectOne() {
        PassiveEjection half = PassiveEjection.defaults();
        assertTrue(half.allowsEjection(0, 2));
        assertFalse(half.allowsEjection(1, 2));
        assertTrue(half.allowsEjection(0, 1), "even the only server: the group decides what to do then");
        assertFalse(half.allowsEjection(1, 1));
        assertTrue(half.allowsEjection(4, 10));
        assertFalse(half.allowsEjection(5, 10));

        PassiveEjection none = PassiveEjection.builder().maxEjectionPercent(0).build();
        assertTrue(none.allowsEjection(0, 10), "0% still ejects one at a time");
        assertFalse(none.allowsEjection(1, 10));
        PassiveEjection all = PassiveEjection.builder().maxEjectionPercent(100).build();
        assertTrue(all.allowsEjection(2, 3));
    }

    @Test
    void eachBadValueIsReportedWithItsSettingName() {
        bad("passiveEjection.consecutiveFailures", () -> PassiveEjection.builder().consecutiveFailures(0).build());
        bad("passiveEjection.consecutiveFailures", () -> PassiveEjection.builder().consecutiveFailures(1001).build());
        bad("passiveEjection.baseEjection", () -> PassiveEjection.builder().baseEjection(Duration.ZERO).build());
        bad("passiveEjection.maxEjection", () -> PassiveEjection.builder().baseEjection(Duration.ofSeconds(20))
                .maxEjection(Duration.ofSeconds(19)).build());
        bad("passiveEjection.maxEjection", () -> PassiveEjection.builder().maxEjection(Duration.ofDays(2)).build());
        bad("passiveEjection.maxEjectionPercent", () -> PassiveEjection.builder().maxEjectionPercent(-1).build());
        bad("passiveEjection.maxEjectionPercent", () -> PassiveEjection.builder().maxEjectionPercent(101).build());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> PassiveEjection.builder().maxEjectionPercent(101).build());
        assertEquals("passiveEjection.maxEjectionPercent: 101 (expected: 0..100 percent)", e.getMessage());
    }

    private static void bad(String setting, Executable build) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, build);
        assertEquals(setting, e.setting(), e.getMessage());
    }
}
