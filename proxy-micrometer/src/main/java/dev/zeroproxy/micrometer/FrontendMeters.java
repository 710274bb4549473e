package dev.zeroproxy.micrometer;

import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Termination;
import dev.zeroproxy.edge.ConnectionRefusal;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * One frontend's meters (tag {@code proxy}): those its proxies' {@code stats()} feed, summed
 * over every proxy it has (one per bind address), and those its listener feeds (closed
 * connections by termination, the duration histogram). A proxy taken away leaves its counts
 * behind, so that the frontend's counters never go down.
 *
 * <p>Structural changes run under {@link ProxyMetrics}'s lock; scrapes read without it, through
 * a volatile {@link Holdings} replaced whole; the listener writes adders and the timer.
 */
final class FrontendMeters {
    private static final Termination[] TERMINATIONS = Termination.values();

    /** A proxy of this frontend, and what it had counted elsewhere before it came here. */
    private record Member(Proxy proxy, Figures before) { }

    /** The live proxies and the counts of those gone, replaced together so a scrape sees both or neither. */
    private record Holdings(List<Member> members, Figures gone) { }

    final String name;
    private final Tags tags;
    private final LongAdder[] closed = new LongAdder[TERMINATIONS.length];
    private final ProxyListener listener;
    private final Memo<Figures> figures;
    private final MeterSet eventMeters = new MeterSet();
    private final MeterSet statsMeters = new MeterSet();
    private volatile Holdings holdings = new Holdings(List.of(), Figures.ZERO);
    /** Null until bound: connections closed before then are counted, but not in the histogram. */
    private volatile Timer duration;
    private volatile boolean removed;
    private boolean hasListener;
    private boolean hasProxies;

    FrontendMeters(String name, UpstreamCounters upstreams, long memoTtlNanos) {
        this.name = name;
        this.tags = Tags.of(MeterNames.PROXY, name);
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
        this.listener = new FrontendListener(this, upstreams);
        this.figures = new Memo<>(this::sum, memoTtlNanos);
    }

    /** The frontend's listener; from now on its meters are wanted. Under the lock. */
    ProxyListener useListener() {
        hasListener = true;
        return listener;
    }

    boolean isRemoved() {
        return removed;
    }

    /** A connection closed: on its event loop. */
    void closed(ConnectionSummary summary) {
        closed[summary.termination().ordinal()].increment();
        Timer timer = duration;
        if (timer != null) {
            timer.record(summary.duration());
        }
    }

    /** Adds {@code proxy} (not here yet), whose counts up to {@code before} belong elsewhere. Under the lock. */
    void add(Proxy proxy, Figures before, MeterRegistry registry) {
        Holdings now = holdings;
        List<Member> members = new ArrayList<>(now.members);
        members.add(new Member(proxy, before));
        holdings = new Holdings(List.copyOf(members), now.gone);
        figures.invalidate();
        hasProxies = true;
        if (registry != null && statsMeters.isEmpty()) {
            registerStats(registry);
        }
    }

    /**
     * Takes {@code proxy} away, keeping what it counted here; returns its counts as of now (what
     * a frontend it joins next must not count again), or null if it was not here. Under the lock.
     */
    Figures remove(Proxy proxy) {
        Holdings now = holdings;
        List<Member> members = new ArrayList<>(now.members);
        for (Member member : members) {
            if (member.proxy == proxy) {
                Figures total = Figures.of(proxy.stats());
                members.remove(member);
                holdings = new Holdings(List.copyOf(members), now.gone.plus(total.since(member.before).countersOnly()));
                figures.invalidate();
                return total;
            }
        }
        return null;
    }

    /** The live proxies. */
    List<Proxy> proxies() {
        List<Proxy> proxies = new ArrayList<>();
        holdings.members.forEach(member -> proxies.add(member.proxy));
        return proxies;
    }

    /** Registers the meters wanted so far; under the lock. */
    void bindTo(MeterRegistry registry) {
        if (hasListener && eventMeters.isEmpty()) {
            registerEvents(registry);
        }
        if (hasProxies && statsMeters.isEmpty()) {
            registerStats(registry);
        }
    }

    /** Removes every meter; the listener, still attached to proxies, counts nowhere from now on. Under the lock. */
    void removeFrom(MeterRegistry registry) {
        removed = true;
        duration = null;
        if (registry != null) {
            eventMeters.removeFrom(registry);
            statsMeters.removeFrom(registry);
        }
    }

    private Figures sum() {
        Holdings now = holdings;
        Figures sum = now.gone;
        for (Member member : now.members) {
            sum = sum.plus(Figures.of(member.proxy.stats()).since(member.before));
        }
        return sum;
    }

    private void registerEvents(MeterRegistry registry) {
        for (Termination termination : TERMINATIONS) {
            eventMeters.add(FunctionCounter.builder(MeterNames.CLOSED, closed[termination.ordinal()],
                            LongAdder::doubleValue)
                    .tags(tags.and(MeterNames.TERMINATION, MeterNames.tagValue(termination)))
                    .description("Connections closed, by how they ended")
                    .register(registry));
        }
        duration = eventMeters.add(Timer.builder(MeterNames.DURATION)
                .tags(tags)
                .description("Connection lifetimes, from the accept to the close of both sides")
                .serviceLevelObjectives(MeterNames.DURATION_BUCKETS)
                .publishPercentileHistogram(false)
                .register(registry));
    }

    private void registerStats(MeterRegistry registry) {
        counter(registry, MeterNames.ACCEPTED, tags, null, "Client connections accepted", f -> f.accepted);
        for (ConnectionRefusal.Reason reason : ConnectionRefusal.Reason.values()) {
            counter(registry, MeterNames.REFUSED, tags.and(MeterNames.REASON, MeterNames.tagValue(reason)), null,
                    "Client connections refused at the edge, by reason", f -> f.refused(reason));
        }
        counter(registry, MeterNames.FORWARDED, tags.and(MeterNames.DIRECTION, MeterNames.FROM_CLIENT),
                MeterNames.BYTES, "Payload bytes read from one side and forwarded to the other", f -> f.fromClients);
        counter(registry, MeterNames.FORWARDED, tags.and(MeterNames.DIRECTION, MeterNames.FROM_UPSTREAM),
                MeterNames.BYTES, "Payload bytes read from one side and forwarded to the other", f -> f.fromUpstreams);
        counter(registry, MeterNames.SPLICED, tags, MeterNames.BYTES,
                "Of the bytes forwarded, those moved by kernel splice()", f -> f.spliced);
        counter(registry, MeterNames.COPIED, tags, MeterNames.BYTES,
                "Of the bytes forwarded, those copied through a user-space buffer", f -> f.copied);
        counter(registry, MeterNames.BUDGET_PAUSES, tags, null,
                "Times a direction stopped reading because the direct-memory budget was used up", f -> f.budgetPauses);
        gauge(registry, MeterNames.ACTIVE, null, "Connections accepted and not yet closed", f -> f.active);
        gauge(registry, MeterNames.OPEN_CHANNELS, null, "Sockets (client and upstream) held open", f -> f.openChannels);
        gauge(registry, MeterNames.QUEUED, MeterNames.BYTES,
                "Bytes read and waiting in the proxy's buffers for a slow receiver", f -> f.queued);
    }

    private void counter(MeterRegistry registry, String meter, Tags meterTags, String unit, String help,
            ToLongFunction<Figures> read) {
        statsMeters.add(FunctionCounter.builder(meter, this, frontend -> read.applyAsLong(frontend.figures.get()))
                .tags(meterTags)
                .baseUnit(unit)
                .description(help)
                .register(registry));
    }

    private void gauge(MeterRegistry registry, String meter, String unit, String help, ToLongFunction<Figures> read) {
        statsMeters.add(Gauge.builder(meter, this, frontend -> read.applyAsLong(frontend.figures.get()))
                .tags(tags)
                .baseUnit(unit)
                .description(help)
                .strongReference(true)
                .register(registry));
    }
}
