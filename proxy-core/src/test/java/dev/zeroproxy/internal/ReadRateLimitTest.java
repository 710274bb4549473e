package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token bucket behind a connection's rate limit, on a clock the test moves. */
class ReadRateLimitTest {
    private static final long MS = 1_000_000L;

    @Test
    void theBucketStartsFullWithAHundredMillisecondsOfTheRate() {
        ReadRateLimit limit = new ReadRateLimit(1_000_000, 0);
        assertEquals(100_000, limit.allowance(0));
        assertFalse(limit.consumed(60_000, 0), "60 kB of the 100 kB");
        assertEquals(40_000, limit.allowance(0));
        assertTrue(limit.consumed(50_000, 0), "over: the direction must wait");
    }

    @Test
    void aWaitLastsUntilTenMillisecondsOfTheRateHaveAccumulated() {
        ReadRateLimit limit = new ReadRateLimit(1_000_000, 0);
        assertTrue(limit.consumed(110_000, 0)); // 10 kB below zero
        // 10 kB to get back to zero, then 10 ms of the rate (10 kB): 20 ms at 1 MB/s.
        assertEquals(20 * MS, limit.nanosUntilAllowed(0));
        assertEquals(10 * MS, limit.nanosUntilAllowed(10 * MS), "half of it later");
        assertEquals(10_000, limit.allowance(20 * MS));
    }

    @Test
    void theBucketNeverHoldsMoreThanItsDepthHoweverLongItRested() {
        ReadRateLimit limit = new ReadRateLimit(1_000_000, 0);
        limit.consumed(100_000, 0);
        assertEquals(100_000, limit.allowance(60_000 * MS), "a minute's rest is still 100 ms of the rate");
    }

    @Test
    void aSlowLimitStillReadsAtLeastAKibibyteAtATime() {
        ReadRateLimit limit = new ReadRateLimit(100, 0);
        assertEquals(1024, limit.allowance(0), "the bucket is one read deep, not 100 ms (10 bytes)");
        assertTrue(limit.consumed(1024, 0));
        assertEquals(10_240 * MS, limit.nanosUntilAllowed(0), "a full read again after 10.24 s at 100 B/s");
    }
}
