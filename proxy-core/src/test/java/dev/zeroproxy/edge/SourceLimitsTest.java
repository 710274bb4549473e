package dev.zeroproxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import org.junit.jupiter.api.Test;

class SourceLimitsTest {

    @Test
    void defaultsAreNoLimits() {
        SourceLimits limits = SourceLimits.builder().build();
        assertSame(SourceLimits.NONE, limits);
        assertTrue(limits.isNone());
        assertEquals(0, limits.maxConnectionsPerSource());
        assertEquals(0, limits.maxNewConnectionsPerSecondPerSource());
        assertEquals(SourceLimits.DEFAULT_MAX_TRACKED_SOURCES, limits.maxTrackedSources());
    }

    @Test
    void negativeConnectionLimitIsNamed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SourceLimits.builder().maxConnectionsPerSource(-1).build());
        assertEquals("maxConnectionsPerSource", e.setting());
        assertEquals(-1, e.value());
        assertEquals(0, e.min());
        assertEquals("maxConnectionsPerSource: -1 (expected: 0..2147483647 (0: no limit))", e.getMessage());
    }

    @Test
    void rateOutOfRangeIsNamed() {
        assertEquals("maxNewConnectionsPerSecondPerSource", assertThrows(InvalidSettingException.class,
                () -> SourceLimits.builder().maxNewConnectionsPerSecondPerSource(-5).build()).setting());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SourceLimits.builder().maxNewConnectionsPerSecondPerSource(SourceLimits.MAX_RATE + 1).build());
        assertEquals(SourceLimits.MAX_RATE, e.max());
    }

    @Test
    void trackedSourcesMustBePositive() {
        assertEquals("maxTrackedSources", assertThrows(InvalidSettingException.class,
                () -> SourceLimits.builder().maxTrackedSources(0).build()).setting());
    }

    @Test
    void valuesAreKept() {
        SourceLimits limits = SourceLimits.builder()
                .maxConnectionsPerSource(64)
                .maxNewConnectionsPerSecondPerSource(20)
                .maxTrackedSources(500)
                .build();
        assertEquals(64, limits.maxConnectionsPerSource());
        assertEquals(20, limits.maxNewConnectionsPerSecondPerSource());
        assertEquals(500, limits.maxTrackedSources());
        assertEquals(limits, SourceLimits.builder().maxConnectionsPerSource(64)
                .maxNewConnectionsPerSecondPerSource(20).maxTrackedSources(500).build());
    }
}
