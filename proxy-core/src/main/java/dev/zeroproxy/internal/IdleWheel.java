package dev.zeroproxy.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle checks of one event loop's relays: a timer wheel with one tick per 1/1024 of the idle
 * timeout (at least 1 ms), whose slots hold the relays due in that tick as lists linked through
 * the relays themselves ({@link Relay#idleNext}, {@link Relay#idlePrev}, {@link Relay#idleSlot}).
 *
 * <p>Why not a scheduled task per relay, as before: each idle pair then held a
 * {@code ScheduledFutureTask} (64 B), the method reference it runs (16 B) and a slot in the
 * loop's task queue, for an hour by default; here a relay holds two links and a slot number,
 * and the loop holds one task, scheduled for the next tick that has relays due. The price is
 * precision: a relay is checked at the first tick at or after its deadline, so an idle
 * connection closes up to one tick (0.1 % of the timeout, 3.5 s of an hour) later than it
 * would have, never earlier.
 *
 * <p>Every deadline lies within one timeout of now (a relay is added at its start, and re-added
 * after a check with its last read plus the timeout), so a wheel of timeout/tick + 3 slots
 * never holds two laps' relays in one slot, and a relay added later never falls due before the
 * ones already in. A check is exact ({@link Relay#idleDue} measures the idle time itself), so
 * one made early, after the loop stalled for more than a lap, only re-adds the relay. All
 * methods run on the loop.
 */
final class IdleWheel {
    private static final Logger LOGGER = LoggerFactory.getLogger(IdleWheel.class);
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int TICKS_PER_TIMEOUT = 1024;

    private final EventLoop loop;
    private final long tickNanos;
    /** The wheel's slots, then one more: the slot being checked, detached from the wheel. */
    private final Relay[] slots;
    private final int wheelSlots;
    /** The first tick whose slot has not been examined yet. */
    private long nextTick;
    private int members;
    private boolean inTick;
    private ScheduledFuture<?> wakeUp;

    IdleWheel(EventLoop loop, long timeoutNanos) {
        this.loop = loop;
        this.tickNanos = Math.max(MIN_TICK_NANOS, timeoutNanos / TICKS_PER_TIMEOUT);
        this.wheelSlots = (int) (timeoutNanos / tickNanos) + 3;
        this.slots = new Relay[wheelSlots + 1];
        this.nextTick = Math.floorDiv(System.nanoTime(), tickNanos);
    }

    /** Has {@link Relay#idleDue} called at the first tick at or after {@code deadlineNanos}. */
    void add(Relay relay, long deadlineNanos) {
        assert loop.inEventLoop() && relay.idleSlot < 0;
        if (members == 0 && !inTick) {
            // No tick ran while the wheel was empty: catch up, so that the slot chosen is in this lap.
            nextTick = Math.max(nextTick, Math.floorDiv(System.nanoTime(), tickNanos));
        }
        // A deadline already passed goes into the next slot examined, not into one a lap away.
        long tick = Math.max(nextTick, -Math.floorDiv(-deadlineNanos, tickNanos));
        int slot = slotOf(tick);
        relay.idleSlot = slot;
        relay.idlePrev = null;
        relay.idleNext = slots[slot];
        if (relay.idleNext != null) {
            relay.idleNext.idlePrev = relay;
        }
        slots[slot] = relay;
        members++;
        if (wakeUp == null && !inTick) {
            wakeUpAt(tick);
        }
    }

    /** Takes {@code relay} out, if it is in: it is not checked again. */
    void remove(Relay relay) {
        if (relay.idleSlot < 0) {
            return;
        }
        unlink(relay);
        if (members == 0 && wakeUp != null) {
            // Nothing left to check: the loop need not wake for this wheel until a relay comes.
            wakeUp.cancel(false);
            wakeUp = null;
        }
    }

    private void unlink(Relay relay) {
        if (relay.idlePrev != null) {
            relay.idlePrev.idleNext = relay.idleNext;
        } else {
            slots[relay.idleSlot] = relay.idleNext;
        }
        if (relay.idleNext != null) {
            relay.idleNext.idlePrev = relay.idlePrev;
        }
        relay.idlePrev = null;
        relay.idleNext = null;
        relay.idleSlot = -1;
        members--;
    }

    private void tick() {
        wakeUp = null;
        inTick = true;
        try {
            long now = System.nanoTime();
            long lastDue = Math.floorDiv(now, tickNanos);
            // After a stall longer than a lap, one pass over every slot covers it all.
            for (long tick = Math.max(nextTick, lastDue - wheelSlots + 1); tick <= lastDue; tick++) {
                checkSlot(slotOf(tick), now);
            }
            nextTick = Math.max(nextTick, lastDue + 1);
        } finally {
            inTick = false;
        }
        if (members > 0) {
            wakeUpAt(firstTickWithRelays());
        }
    }

    /**
     * Checks the relays of one slot. They are moved to the detached slot first: a check re-adds
     * its relay into the wheel (with a deadline after now), which after a long stall may be this
     * very slot a lap on, and it must not be checked again in this pass; a relay closed meanwhile
     * by another's check unlinks from the detached slot like from any other.
     */
    private void checkSlot(int slot, long now) {
        Relay chain = slots[slot];
        if (chain == null) {
            return;
        }
        slots[slot] = null;
        slots[wheelSlots] = chain;
        for (Relay r = chain; r != null; r = r.idleNext) {
            r.idleSlot = wheelSlots;
        }
        Relay due;
        while ((due = slots[wheelSlots]) != null) {
            unlink(due);
            try {
                due.idleDue(now);
            } catch (RuntimeException e) {
                // One relay's failure must not stop the checks of the others on this loop.
                LOGGER.warn("idle check of {} failed", due.info(), e);
            }
        }
    }

    /** The first tick from {@link #nextTick} whose slot holds a relay; there is one (members > 0). */
    private long firstTickWithRelays() {
        for (long tick = nextTick; tick < nextTick + wheelSlots; tick++) {
            if (slots[slotOf(tick)] != null) {
                return tick;
            }
        }
        throw new IllegalStateException(members + " relays counted, none in a slot");
    }

    private void wakeUpAt(long tick) {
        long delay = Math.max(0, tick * tickNanos - System.nanoTime());
        wakeUp = loop.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
    }

    private int slotOf(long tick) {
        return (int) Math.floorMod(tick, (long) wheelSlots);
    }
}
