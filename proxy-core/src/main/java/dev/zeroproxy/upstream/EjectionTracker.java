package dev.zeroproxy.upstream;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The passive-ejection state of one server: counts its connect failures in a row, ejects it
 * when they reach {@link PassiveEjection#consecutiveFailures()}, and says until when.
 *
 * <p><b>Back-off.</b> The n-th ejection lasts {@code baseEjection × n}, at most
 * {@code maxEjection}, where n is {@link #timesEjected()} after the ejection. n <em>decays</em>:
 * it goes down by one for every whole {@code baseEjection} the server spends un-ejected after an
 * ejection ends, so a server that fails again at once is ejected for longer and longer, and one
 * that stayed in service for a while starts again from {@code baseEjection}. It stops growing
 * once {@code baseEjection × n} reaches {@code maxEjection}, so that decaying from the cap never
 * takes longer than climbing to it. Everything follows from the injected clock when a method is
 * called: no timer runs.
 *
 * <p><b>Refused ejection.</b> When the threshold is reached but {@code mayEject} says no (the
 * group has ejected as many servers as it may), the server stays in and the count stays at the
 * threshold, so the next failure asks again.
 *
 * <p><b>While ejected</b>, failures and successes of connects begun before the ejection neither
 * extend it nor end it; a success still resets the count of failures.
 *
 * <p>Thread-safe: connect outcomes come from every event loop. Each method is short and takes
 * this object's lock; {@code mayEject} is called outside it, since it reads other servers'
 * trackers.
 */
final class EjectionTracker {
    /** Replaced by a group update; the counts stay. */
    private volatile PassiveEjection settings;
    private final LongSupplier nanoClock;
    // From the settings, and replaced with them (under the lock).
    private long baseNanos;
    private long maxNanos;
    /** The n at which {@code base × n} reaches the cap: n never grows past it. */
    private int maxTimes;

    private int failuresInARow;
    private int timesEjected;
    private boolean ejected;
    /** False only while {@code ejected} is surely false: {@link #isEjected()}'s fast path. */
    private volatile boolean mayBeEjected;
    private long ejectedUntil;
    /** While not ejected and {@code timesEjected > 0}: from when the next decrement is counted. */
    private long decayFrom;

    /**
     * @param nanoClock monotonic nanoseconds, {@code System::nanoTime} outside tests
     */
    EjectionTracker(PassiveEjection settings, LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        adopt(Objects.requireNonNull(settings, "settings"));
    }

    /**
     * New settings from a group update, all of them: the threshold for the next ejection, and
     * the base and cap of its length. The failures counted, the ejections behind the back-off
     * (up to the new cap) and an ejection under way (until its end as decided) stay.
     */
    synchronized void settings(PassiveEjection changed) {
        settle(nanoClock.getAsLong());
        adopt(Objects.requireNonNull(changed, "settings"));
        timesEjected = Math.min(timesEjected, maxTimes);
    }

    private void adopt(PassiveEjection changed) {
        settings = changed;
        baseNanos = changed.baseEjection().toNanos();
        maxNanos = changed.maxEjection().toNanos();
        maxTimes = (int) Math.min(Integer.MAX_VALUE, (maxNanos + baseNanos - 1) / baseNanos);
    }

    /**
     * A connect to this server failed.
     *
     * @param mayEject asked only when this failure reaches the threshold: whether the group allows
     *     one more ejection now
     * @return true when this failure ejected the server
     */
    boolean onConnectFailure(BooleanSupplier mayEject) {
        if (!settings.isEnabled() || !countFailure()) {
            return false;
        }
        // Asked outside this tracker's lock: the group's answer reads the other servers'
        // trackers, and two loops asking for two servers at once must not hold each other's.
        return mayEject.getAsBoolean() && ejectIfStillDue();
    }

    /** Counts one failure; true when the count reached the threshold (and the server is not ejected). */
    private synchronized boolean countFailure() {
        settle(nanoClock.getAsLong());
        if (ejected) {
            return false;
        }
        failuresInARow = Math.min(failuresInARow + 1, settings.consecutiveFailures());
        return failuresInARow >= settings.consecutiveFailures();
    }

    /** Ejects the server, unless a success reset the count (or another failure ejected it) meanwhile. */
    private synchronized boolean ejectIfStillDue() {
        long now = nanoClock.getAsLong();
        settle(now);
        if (ejected || failuresInARow < settings.consecutiveFailures()) {
            return false;
        }
        failuresInARow = 0;
        timesEjected = Math.min(timesEjected + 1, maxTimes);
        ejected = true;
        ejectedUntil = now + Math.min(baseNanos * timesEjected, maxNanos);
        mayBeEjected = true;
        return true;
    }

    /** A connect to this server succeeded: the failures so far no longer count. */
    synchronized void onConnectSuccess() {
        failuresInARow = 0;
    }

    /**
     * Whether the server is ejected now; false again once its ejection time has passed. Asked
     * for every server a pick looks at: a server never ejected (or whose ejection was seen to
     * end) answers from a volatile, without the lock or the clock.
     */
    boolean isEjected() {
        if (!mayBeEjected) {
            return false;
        }
        synchronized (this) {
            settle(nanoClock.getAsLong());
            if (!ejected) {
                mayBeEjected = false;
            }
            return ejected;
        }
    }

    /**
     * When the current ejection ends, on the tracker's clock; while not ejected, when the last one
     * ended (or 0 if there was none). Meaningful with {@link #isEjected()} true.
     */
    synchronized long ejectedUntilNanos() {
        settle(nanoClock.getAsLong());
        return ejectedUntil;
    }

    /** The ejection count behind the back-off, after decay (see the class comment). */
    synchronized int timesEjected() {
        settle(nanoClock.getAsLong());
        return timesEjected;
    }

    /** Connect failures in a row counted toward the next ejection. */
    synchronized int failuresInARow() {
        return failuresInARow;
    }

    /** Brings the state up to {@code now}: ends a finished ejection, applies the decay. */
    private void settle(long now) {
        if (ejected && now - ejectedUntil >= 0) {
            ejected = false;
            decayFrom = ejectedUntil;
        }
        if (!ejected && timesEjected > 0) {
            long periods = (now - decayFrom) / baseNanos;
            if (periods > 0) {
                timesEjected = (int) Math.max(0, timesEjected - periods);
                decayFrom += periods * baseNanos;
            }
        }
    }
}
