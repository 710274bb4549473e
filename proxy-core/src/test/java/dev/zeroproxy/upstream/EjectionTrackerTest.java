package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Passive ejection of one server, on a fake clock. */
class EjectionTrackerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final BooleanSupplier ALLOWED = () -> true;

    /** Starts far from zero so that no arithmetic relies on the clock starting there. */
    private long now = -123 * SECOND;
    private final PassiveEjection settings = PassiveEjection.builder().consecutiveFailures(3)
            .baseEjection(Duration.ofSeconds(10)).maxEjection(Duration.ofSeconds(25)).build();
    private final EjectionTracker tracker = new EjectionTracker(settings, () -> now);

    private boolean failTimes(int n) {
        boolean ejected = false;
        for (int i = 0; i < n; i++) {
            ejected = tracker.onConnectFailure(ALLOWED);
        }
        return ejected;
    }

    @Test
    void theNthFailureInARowEjectsForTheBaseTime() {
        assertFalse(failTimes(2));
        assertFalse(tracker.isEjected());
        assertTrue(tracker.onConnectFailure(ALLOWED), "the third ejects");
        assertTrue(tracker.isEjected());
        assertEquals(now + 10 * SECOND, tracker.ejectedUntilNanos());
        assertEquals(1, tracker.timesEjected());

        now += 10 * SECOND - 1;
        assertTrue(tracker.isEjected());
        now += 1;
        assertFalse(tracker.isEjected(), "back once the time has passed");
    }

    @Test
    void newSettingsGiveTheNextEjectionTheirThresholdAndLengthAndKeepTheCount() {
        failTimes(3);
        long until = tracker.ejectedUntilNanos();
        tracker.settings(PassiveEjection.builder().consecutiveFailures(2).baseEjection(Duration.ofSeconds(4))
                .maxEjection(Duration.ofSeconds(6)).build());
        assertTrue(tracker.isEjected());
        assertEquals(until, tracker.ejectedUntilNanos(), "the ejection under way ends as decided");
        now = until;
        assertFalse(tracker.onConnectFailure(ALLOWED));
        assertTrue(tracker.onConnectFailure(ALLOWED), "the new threshold: 2 in a row");
        assertEquals(2, tracker.timesEjected(), "the first ejection still counts");
        assertEquals(now + 6 * SECOND, tracker.ejectedUntilNanos(), "the new length: 2 × 4 s, capped at 6 s");
    }

    @Test
    void failuresWhileEjectedNeitherCountNorExtend() {
        failTimes(3);
        long until = tracker.ejectedUntilNanos();
        assertFalse(failTimes(10));
        assertEquals(until, tracker.ejectedUntilNanos());
        assertEquals(0, tracker.failuresInARow());
    }

    @Test
    void eachEjectionInARowLastsLongerUpToTheCap() {
        long[] expected = {10, 20, 25, 25};
        for (long seconds : expected) {
            assertTrue(failTimes(3));
            assertEquals(now + seconds * SECOND, tracker.ejectedUntilNanos());
            now = tracker.ejectedUntilNanos(); // fails again the moment it is back
        }
        assertEquals(3, tracker.timesEjected(), "stops growing at the cap: ceil(25 / 10)");
    }

    @Test
    void theCountDecaysByOneForEachBasePeriodWithoutEjection() {
        failTimes(3);
        now = tracker.ejectedUntilNanos();
        failTimes(3);
        now = tracker.ejectedUntilNanos();
        assertEquals(2, tracker.timesEjected());

        now += 10 * SECOND - 1;
        assertEquals(2, tracker.timesEjected());
        now += 1;
        assertEquals(1, tracker.timesEjected(), "one base period back in service");
        assertTrue(failTimes(3));
        assertEquals(now + 20 * SECOND, tracker.ejectedUntilNanos(), "1 + 1 ejections: twice the base");

        now = tracker.ejectedUntilNanos() + 100 * SECOND;
        assertEquals(0, tracker.timesEjected());
        assertTrue(failTimes(3));
        assertEquals(now + 10 * SECOND, tracker.ejectedUntilNanos(), "long healthy: the base again");
    }

    @Test
    void aRefusedEjectionKeepsTheServerInAndTheNextFailureAsksAgain() {
        AtomicInteger asked = new AtomicInteger();
        BooleanSupplier refuse = () -> {
            asked.incrementAndGet();
            return false;
        };
        assertFalse(tracker.onConnectFailure(() -> fail("not asked below the threshold")));
        assertFalse(tracker.onConnectFailure(() -> fail("not asked below the threshold")));
        assertFalse(tracker.onConnectFailure(refuse));
        assertFalse(tracker.isEjected());
        assertFalse(tracker.onConnectFailure(refuse));
        assertEquals(2, asked.get());
        assertTrue(tracker.onConnectFailure(ALLOWED), "allowed now, at once");
        assertEquals(1, tracker.timesEjected());
    }

    @Test
    void aSuccessResetsTheFailuresInARow() {
        failTimes(2);
        tracker.onConnectSuccess();
        assertEquals(0, tracker.failuresInARow());
        assertFalse(failTimes(2));
        assertTrue(failTimes(1));
    }

    @Test
    void disabledNeverEjects() {
        EjectionTracker off = new EjectionTracker(PassiveEjection.disabled(), () -> now);
        for (int i = 0; i < 100; i++) {
            assertFalse(off.onConnectFailure(ALLOWED));
        }
        assertFalse(off.isEjected());
    }
}
