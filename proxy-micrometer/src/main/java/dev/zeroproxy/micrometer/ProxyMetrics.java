package dev.zeroproxy.micrometer;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;

/**
 * Micrometer meters for ZeroProxy: connections accepted, active, refused and closed, bytes each
 * way, the duration histogram, connect attempts and failures per server, the servers' states,
 * the event loops and the allocator. One instance per {@link MeterRegistry}; the names follow
 * Prometheus' conventions once rendered ({@code zeroproxy_connections_accepted_total}); see
 * {@code docs/observability.md} for every meter.
 *
 * <pre>{@code
 * ProxyMetrics metrics = new ProxyMetrics();
 * metrics.bindTo(registry);                                   // before or after the rest
 * Proxy proxy = Proxy.builder()
 *         .listen(new InetSocketAddress(5432))
 *         .upstream(group)
 *         .listener(metrics.listener("db"))                   // before start: per connection events
 *         .start();
 * metrics.addProxy("db", proxy);                              // after start: the proxy's counters
 * metrics.addBackend(group);                                  // the group's servers' states
 * }</pre>
 *
 * <p>A <em>frontend</em> is a name for one or several proxies (a configuration file's frontend
 * has one per bind address), the {@code proxy} tag of their meters; a <em>backend</em> is an
 * {@link UpstreamGroup}, the {@code backend} tag. As a configuration changes, proxies and
 * groups come and go ({@link #removeProxy}, {@link #removeFrontend}, {@link #removeBackend}):
 * a frontend's counters keep what its proxies taken away had counted, and never go down; a
 * frontend or backend removed takes its meters with it.
 *
 * <p>Cost: the listener does a few adder increments and one histogram record per connection,
 * and nothing per byte; the byte counts are the proxy's own counters, read at a scrape, once per
 * frontend and scrape however many meters read them.
 *
 * <p>Tags are bounded by the configuration: frontend, backend and server names, and fixed sets
 * of reasons, terminations, directions and states; never a client's address.
 *
 * <p>Thread-safe. Do not call {@link #bindTo}, {@link #addProxy} or {@link #removeProxy} on a
 * proxy's event loop: learning an event loop's thread name waits for that loop.
 */
public final class ProxyMetrics implements MeterBinder {
    private final long memoTtlNanos;
    private final Object lock = new Object();
    private final UpstreamCounters upstreams = new UpstreamCounters(lock);
    private final Map<String, FrontendMeters> frontends = new LinkedHashMap<>();
    private final Map<String, BackendMeters> backends = new LinkedHashMap<>();
    private final Map<EventLoopGroup, EventLoopMeters> loops = new IdentityHashMap<>();
    private final Set<String> loopTags = new HashSet<>();
    /** The frontend each proxy counts in now. */
    private final Map<Proxy, String> frontendOf = new IdentityHashMap<>();
    /** What each proxy taken from a frontend had counted there: a frontend it joins next counts only what follows. */
    private final Map<Proxy, Figures> countedBefore = new WeakHashMap<>();
    private final MeterSet generationMeters = new MeterSet();
    private LongSupplier generation;
    private MeterRegistry registry;

    /** Meters for no proxy yet: add frontends and backends, and bind to a registry, in any order. */
    public ProxyMetrics() {
        this(Memo.DEFAULT_TTL_NANOS);
    }

    /** For tests: how long one {@code stats()} snapshot serves the meters reading it. */
    ProxyMetrics(long memoTtlNanos) {
        this.memoTtlNanos = memoTtlNanos;
    }

    /**
     * Registers every meter known so far with {@code registry}, and from now on every meter as
     * its part is added; also Netty's allocator meters for the pooled allocator the proxies use.
     * Binding the same registry again does nothing.
     *
     * @throws IllegalStateException if already bound to another registry (bind a
     *     {@code CompositeMeterRegistry} to feed several)
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (this.registry == registry) {
                return;
            }
            if (this.registry != null) {
                throw new IllegalStateException("bindTo(" + registry + "): already bound to " + this.registry
                        + " (expected: one registry per ProxyMetrics; bind a CompositeMeterRegistry to feed several)");
            }
            this.registry = registry;
            new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
            upstreams.bindTo(registry);
            frontends.values().forEach(frontend -> frontend.bindTo(registry));
            backends.values().forEach(backend -> backend.refresh(registry));
            loops.values().forEach(this::bindLoops);
            if (generation != null) {
                registerGeneration();
            }
        }
    }

    /**
     * The listener that counts the connections of {@code frontend}: closed by termination, their
     * durations, and the connect attempts and failures per server. Give it to each of the
     * frontend's proxies before they start ({@code ProxyBuilder.listener}, with
     * {@link ProxyListener#all} beside another listener); the same frontend gets the same
     * listener. Connections that close before {@link #bindTo} are counted but miss the duration
     * histogram.
     *
     * @throws InvalidSettingException if the name is blank
     */
    public ProxyListener listener(String frontend) {
        requireName("frontend", frontend);
        synchronized (lock) {
            FrontendMeters meters = frontend(frontend);
            ProxyListener listener = meters.useListener();
            if (registry != null) {
                meters.bindTo(registry);
            }
            return listener;
        }
    }

    /**
     * Counts {@code proxy}'s figures ({@link Proxy#stats()}: accepted, active, refused, bytes,
     * queued) in {@code frontend}'s meters, everything since it started (or, for a proxy taken
     * from another frontend, since then), and binds the meters of its event loops unless another
     * proxy shares them. Adding the same proxy to the same frontend again does nothing.
     *
     * @throws InvalidSettingException if the name is blank
     * @throws IllegalStateException if the proxy counts in another frontend (remove it there first)
     */
    public void addProxy(String frontend, Proxy proxy) {
        requireName("frontend", frontend);
        Objects.requireNonNull(proxy, "proxy");
        synchronized (lock) {
            String now = frontendOf.get(proxy);
            if (frontend.equals(now)) {
                return;
            }
            if (now != null) {
                throw new IllegalStateException("addProxy(" + frontend + ", " + proxy + "): the proxy counts in"
                        + " frontend " + now + " (expected: removeProxy(" + now + ", proxy) first)");
            }
            Figures before = countedBefore.remove(proxy);
            frontend(frontend).add(proxy, before == null ? Figures.ZERO : before, registry);
            frontendOf.put(proxy, frontend);
            EventLoopMeters loopMeters = loops.computeIfAbsent(proxy.eventLoopGroup(), EventLoopMeters::new);
            loopMeters.retain();
            if (registry != null) {
                bindLoops(loopMeters);
            }
        }
    }

    /**
     * Stops counting {@code proxy} in {@code frontend}, whose counters keep what it counted
     * there; its gauges (active connections, open channels, queued bytes) no longer include it.
     * Call it once the proxy has closed (what it counts after this is lost), or to move it to
     * another frontend. Does nothing if the proxy does not count there.
     */
    public void removeProxy(String frontend, Proxy proxy) {
        Objects.requireNonNull(proxy, "proxy");
        synchronized (lock) {
            FrontendMeters meters = frontends.get(frontend);
            if (meters == null || !Objects.equals(frontendOf.get(proxy), frontend)) {
                return;
            }
            countedBefore.put(proxy, meters.remove(proxy));
            frontendOf.remove(proxy);
            releaseLoops(proxy.eventLoopGroup());
        }
    }

    /**
     * Removes {@code frontend}'s meters, those of its proxies' figures and of its listener, and the
     * connect counters of the unnamed upstreams it stood in for as a backend. Its listener,
     * still attached to proxies, counts nowhere from then on. Does nothing for a name not known.
     */
    public void removeFrontend(String frontend) {
        synchronized (lock) {
            FrontendMeters meters = frontends.remove(frontend);
            if (meters == null) {
                return;
            }
            for (Proxy proxy : meters.proxies()) {
                countedBefore.put(proxy, meters.remove(proxy));
                frontendOf.remove(proxy);
                releaseLoops(proxy.eventLoopGroup());
            }
            meters.removeFrom(registry);
            upstreams.removeFrontend(frontend);
        }
    }

    /**
     * Meters {@code group} as the backend of its name: its queue, and per server its state, open
     * connections and weight. Call it again after changing the group's servers (adding, removing:
     * a reload, an operator's command) so that the gauges follow; a group of the same name that
     * is another object replaces the one metered. Connect attempts and failures per server come
     * from the listeners, for every upstream, group or not.
     */
    public void addBackend(UpstreamGroup group) {
        Objects.requireNonNull(group, "group");
        synchronized (lock) {
            BackendMeters meters = backends.get(group.name());
            if (meters != null && meters.group != group) {
                meters.removeFrom(registry);
                meters = null;
            }
            if (meters == null) {
                meters = new BackendMeters(group, memoTtlNanos);
                backends.put(group.name(), meters);
            }
            upstreams.backendAdded(group.name());
            meters.refresh(registry);
            Set<String> names = new HashSet<>();
            group.servers().forEach(server -> names.add(server.name()));
            upstreams.retainServers(group.name(), names);
        }
    }

    /**
     * Removes the meters of the backend named {@code backend}: its group's gauges and the connect
     * counters of its servers. Late events for it (a connection of an older configuration still
     * connecting) are not counted. Does nothing for a name not known.
     */
    public void removeBackend(String backend) {
        synchronized (lock) {
            BackendMeters meters = backends.remove(backend);
            if (meters != null) {
                meters.removeFrom(registry);
            }
            upstreams.removeBackend(backend);
        }
    }

    /**
     * Makes the metered frontends, their proxies and the backends exactly those given, by the
     * calls above: a proxy no longer listed under its frontend is taken away (its counts stay
     * with the frontend), one listed under another frontend moves there, a frontend or backend
     * no longer listed is removed, and every group listed is added or refreshed. For a
     * configuration file running, after its start and after each reload:
     *
     * <pre>{@code
     * Map<String, List<Proxy>> byFrontend = new LinkedHashMap<>();
     * deployment.proxies().forEach((address, proxy) -> byFrontend
     *         .computeIfAbsent(deployment.frontends().get(address), f -> new ArrayList<>()).add(proxy));
     * metrics.sync(byFrontend, deployment.backends().values());
     * }</pre>
     *
     * <p>A bind removed by a reload stops counting here at once, though it drains its connections
     * for a while: call {@link #removeProxy} only after it closed, and leave it out of the next
     * {@code sync}, to count its draining connections to the end.
     *
     * @throws InvalidSettingException if a frontend name is blank
     */
    public void sync(Map<String, ? extends Collection<? extends Proxy>> proxiesByFrontend,
            Collection<UpstreamGroup> groups) {
        Objects.requireNonNull(proxiesByFrontend, "proxiesByFrontend");
        Objects.requireNonNull(groups, "groups");
        synchronized (lock) {
            for (Map.Entry<Proxy, String> counted : new ArrayList<>(frontendOf.entrySet())) {
                Collection<? extends Proxy> listed = proxiesByFrontend.get(counted.getValue());
                if (listed == null || listed.stream().noneMatch(proxy -> proxy == counted.getKey())) {
                    removeProxy(counted.getValue(), counted.getKey());
                }
            }
            for (String frontend : new ArrayList<>(frontends.keySet())) {
                if (!proxiesByFrontend.containsKey(frontend)) {
                    removeFrontend(frontend);
                }
            }
            proxiesByFrontend.forEach((frontend, proxies) -> proxies.forEach(proxy -> addProxy(frontend, proxy)));
            Set<String> listedGroups = new HashSet<>();
            groups.forEach(group -> listedGroups.add(group.name()));
            for (String backend : new ArrayList<>(backends.keySet())) {
                if (!listedGroups.contains(backend)) {
                    removeBackend(backend);
                }
            }
            groups.forEach(this::addBackend);
        }
    }

    /**
     * Reports {@code generation} as the gauge {@code zeroproxy.config.generation}: the number of
     * the configuration running (a deployment's {@code generation()}; for a single proxy its
     * {@link Proxy#generation()}). Replaces a supplier given before. Called at each scrape: it must
     * be cheap and must not block for long.
     */
    public void configGeneration(LongSupplier generation) {
        Objects.requireNonNull(generation, "generation");
        synchronized (lock) {
            this.generation = generation;
            if (registry != null) {
                registerGeneration();
            }
        }
    }

    private void registerGeneration() {
        generationMeters.removeFrom(registry);
        generationMeters.add(Gauge.builder(MeterNames.GENERATION, generation, LongSupplier::getAsLong)
                .description("The number of the configuration running: 1 at the start, one more per reload")
                .strongReference(true)
                .register(registry));
    }

    private FrontendMeters frontend(String name) {
        return frontends.computeIfAbsent(name, n -> new FrontendMeters(n, upstreams, memoTtlNanos));
    }

    /** Binds a loop group's meters unless they are bound already. Under the lock. */
    private void bindLoops(EventLoopMeters loopMeters) {
        if (!loopMeters.isBound()) {
            loopMeters.bindTo(registry, loopTags::contains);
            loopTags.add(loopMeters.tag());
        }
    }

    private void releaseLoops(EventLoopGroup group) {
        EventLoopMeters loopMeters = loops.get(group);
        if (loopMeters != null && loopMeters.release()) {
            loops.remove(group);
            if (loopMeters.isBound()) {
                loopTags.remove(loopMeters.tag());
                loopMeters.removeFrom(registry);
            }
        }
    }

    private static void requireName(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidSettingException(what, name, "a non-blank name, the " + what + " tag of its meters");
        }
    }
}
