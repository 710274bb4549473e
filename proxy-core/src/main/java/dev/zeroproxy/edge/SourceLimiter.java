package dev.zeroproxy.edge;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The runtime side of {@link SourceLimits}: per client address, the connections it holds and
 * its token bucket, shared by all event loops.
 *
 * <p><b>State.</b> A map from address to a small {@link Source}, created on an address's first
 * connection. Each {@code Source} is guarded by its own monitor: the same address is rarely on
 * two event loops at the same instant, so the lock is almost always uncontended, and holding
 * it makes "check both limits, then take both" one step. The bucket is kept as one number, the
 * time at which it will be full again (the GCRA form of a token bucket, as in the "generic cell
 * rate algorithm"): taking a token adds {@code 1/rate} to it, and the bucket allows a
 * connection while that time is at most {@code burst/rate} ahead of now. No floating point, no
 * refill step.
 *
 * <p><b>Bounded.</b> An address is forgotten (its entry removed and marked so that a racing
 * {@link #admit} retries with a fresh one) when it holds no connection and its bucket is full:
 * at its last {@link #released} if the bucket is already full (always so without a rate
 * limit), otherwise by a sweep, run by whichever {@link #admit} finds one due (at most once a
 * second). So the map holds the addresses with connections plus those that opened one within
 * the last second, and never more than {@link SourceLimits#maxTrackedSources()}: past that a
 * new address is admitted untracked (see {@link SourceLimits}).
 *
 * <p>An untracked connection's {@link #released} finds no entry and does nothing; if its
 * address became tracked in between, the release lowers that entry's count, never below zero.
 * That slip (a limit briefly one higher for such an address) happens only past the cap, and
 * keeps the proxy from needing a handle per connection.
 */
final class SourceLimiter {
    static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int maxConnections;
    private final long interval;
    private final long burstWindow;
    private final int maxTracked;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<InetAddress, Source> sources = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final AtomicLong nextSweep;
    private final LongAdder untracked = new LongAdder();

    /** One address's state; guarded by its own monitor. */
    static final class Source {
        int active;
        /** When the bucket is full again (nanoTime); at or before now means full. */
        long fullAt;
        /** Set once removed from the map; an admit that finds it set retries. */
        boolean removed;

        Source(long now) {
            this.fullAt = now;
        }
    }

    SourceLimiter(SourceLimits limits, LongSupplier nanoClock) {
        this.maxConnections = limits.maxConnectionsPerSource();
        int rate = limits.maxNewConnectionsPerSecondPerSource();
        this.interval = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
        this.burstWindow = interval * rate;
        this.maxTracked = limits.maxTrackedSources();
        this.nanoClock = nanoClock;
        this.nextSweep = new AtomicLong(nanoClock.getAsLong() + SWEEP_INTERVAL_NANOS);
    }

    /**
     * Admits a connection from {@code address} and counts it, returning null, or returns why
     * not (and counts nothing).
     */
    ConnectionRefusal.Reason admit(InetAddress address) {
        InetAddress key = key(address);
        long now = nanoClock.getAsLong();
        if (interval > 0) {
            maybeSweep(now);
        }
        for (;;) {
            Source source = sources.get(key);
            if (source == null) {
                if (tracked.incrementAndGet() > maxTracked) {
                    tracked.decrementAndGet();
                    untracked.increment();
                    return null;
                }
                Source fresh = new Source(now);
                Source raced = sources.putIfAbsent(key, fresh);
                if (raced == null) {
                    source = fresh;
                } else {
                    tracked.decrementAndGet();
                    source = raced;
                }
            }
            synchronized (source) {
                if (source.removed) {
                    continue;
                }
                if (maxConnections > 0 && source.active >= maxConnections) {
                    return ConnectionRefusal.Reason.TOO_MANY_FROM_SOURCE;
                }
                if (interval > 0) {
                    long from = source.fullAt - now > 0 ? source.fullAt : now;
                    long fullAt = from + interval;
                    if (fullAt - now > burstWindow) {
                        return ConnectionRefusal.Reason.TOO_FAST_FROM_SOURCE;
                    }
                    source.fullAt = fullAt;
                }
                source.active++;
                return null;
            }
        }
    }

    /** An admitted connection from {@code address} closed. */
    void released(InetAddress address) {
        InetAddress key = key(address);
        Source source = sources.get(key);
        if (source == null) {
            return;
        }
        synchronized (source) {
            if (source.removed || source.active == 0) {
                return;
            }
            if (--source.active == 0 && (interval == 0 || source.fullAt - nanoClock.getAsLong() <= 0)) {
                remove(key, source);
            }
        }
    }

    private void maybeSweep(long now) {
        long due = nextSweep.get();
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
            sweep(now);
        }
    }

    /** Forgets every address with no connection and a full bucket. */
    void sweep(long now) {
        for (Map.Entry<InetAddress, Source> entry : sources.entrySet()) {
            Source source = entry.getValue();
            synchronized (source) {
                if (!source.removed && source.active == 0 && source.fullAt - now <= 0) {
                    remove(entry.getKey(), source);
                }
            }
        }
    }

    /** Called holding {@code source}'s monitor. */
    private void remove(InetAddress key, Source source) {
        source.removed = true;
        if (sources.remove(key, source)) {
            tracked.decrementAndGet();
        }
    }

    /** How many addresses are tracked now. */
    int trackedSources() {
        return tracked.get();
    }

    /** How many connections were admitted untracked because the map was full. */
    long untrackedAdmissions() {
        return untracked.sum();
    }

    /** The connections {@code address} holds now, as counted (0 if untracked). */
    int active(InetAddress address) {
        Source source = sources.get(key(address));
        if (source == null) {
            return 0;
        }
        synchronized (source) {
            return source.active;
        }
    }

    /**
     * The address as a map key: an IPv4-mapped IPv6 address (which a dual-stack socket may
     * report for an IPv4 client) as its IPv4 address, so that both forms count as one source.
     */
    static InetAddress key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
            for (int i = 0; mapped && i < 10; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException impossible) {
                    throw new AssertionError(impossible);
                }
            }
        }
        return address;
    }
}
