package dev.zeroproxy.config;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.Transport;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file running: one {@link ProxyRuntime} whose loops every frontend shares, one
 * {@link Proxy} per bind address, one {@link UpstreamGroup} per backend; and its reload.
 *
 * <pre>{@code
 * try (Deployment running = Deployment.start(ConfigParser.parse(Path.of("zeroproxy.cfg")), ProxyListener.NOOP)) {
 *     ...
 *     ReloadReport report = running.reload(ConfigParser.parse(Path.of("zeroproxy.cfg")));
 * }
 * }</pre>
 *
 * <p><b>Reload</b> ({@link #reload}) checks the whole new file first; a file with any error
 * changes nothing. Then: new backends start; new binds open (if one cannot, those opened are
 * closed again and nothing else changes); backends kept are updated in place, servers matched by
 * name keeping their state and counters ({@link UpstreamGroup#update}); binds kept keep their
 * listening sockets, and take the new file for new connections ({@link Proxy#reconfigure});
 * removed binds stop accepting and drain their connections in the background for up to the
 * drain timeout; removed backends stop. Connections open before keep the configuration they
 * started with. The transport and the loop count cannot change without a restart.
 *
 * <p><b>Listeners.</b> Each frontend has its own {@link ProxyListener}, asked of
 * {@code listenerForFrontend} when the frontend first runs (at the start, or the reload that adds
 * it; a reload that then fails drops the listeners it asked for, and the next one asks again) and
 * kept while the frontend does: every bind of the frontend reports to it, a bind that
 * moves to another frontend to that one's from its next connection on. The backends' server
 * state changes, which belong to no frontend, go once each to the listener given for them.
 *
 * <p><b>The stats section</b> ({@link ProxyFile#stats()}) is not run here: whoever serves the
 * admin endpoint reads it from {@link #file()} and, after a reload, from the
 * {@link ReloadReport}.
 *
 * <p>Thread-safe: reloads are serialized. {@link #close()} drains every bind at once.
 */
public final class Deployment implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Deployment.class);

    /** One bind running: the frontend it belongs to now, and its proxy. */
    private record RunningBind(String frontend, BindLine bind, Proxy proxy) { }

    private final ProxyRuntime runtime;
    /** Hears the groups' server state changes. */
    private final ProxyListener servers;
    private final Function<String, ProxyListener> listenerForFrontend;
    /** The listener of each frontend running, by name. */
    private Map<String, ProxyListener> frontendListeners = new LinkedHashMap<>();
    private final Map<String, UpstreamGroup> backends = new LinkedHashMap<>();
    /** Who uses each group: the file, and the routers of the proxies' configurations. */
    private final GroupUsers users = new GroupUsers();
    private final Map<InetSocketAddress, RunningBind> binds = new LinkedHashMap<>();
    /** Removed binds still draining, joined by {@link #close()}. */
    private final List<Thread> draining = new ArrayList<>();
    /** Proxies of removed binds still draining: their figures stay in {@link #stats()}. */
    private final List<Proxy> retired = new ArrayList<>();
    /** The final figures of removed binds that have drained. */
    private final List<ProxyStats> retiredStats = new ArrayList<>();
    private FilePlan plan;
    private long generation = 1;
    private boolean closed;

    private Deployment(ProxyRuntime runtime, ProxyListener servers, Function<String, ProxyListener> listenerForFrontend,
            FilePlan plan) {
        this.runtime = runtime;
        this.servers = servers;
        this.listenerForFrontend = listenerForFrontend;
        this.plan = plan;
    }

    /**
     * Checks a file as {@link #start} would, without starting or binding anything: what
     * {@code zeroproxy check} runs.
     *
     * @throws ConfigException with every error found
     */
    public static void check(ProxyFile file) {
        FilePlan.of(Objects.requireNonNull(file, "file"));
    }

    /**
     * Starts the runtime, the backends and a proxy per bind, one listener for all.
     *
     * @param listener hears every proxy's events, and every backend's server state changes (once each)
     * @throws ConfigException with every error found in the file, or at the bind line of an
     *     address that could not be bound; then nothing is left running
     */
    public static Deployment start(ProxyFile file, ProxyListener listener) {
        Objects.requireNonNull(listener, "listener");
        return start(file, listener, name -> listener);
    }

    /**
     * Starts the runtime, the backends and a proxy per bind, each frontend with its own listener;
     * the backends' server state changes are not heard (the three-argument {@link #start(ProxyFile,
     * ProxyListener, Function)} gives them a listener).
     *
     * @param listenerForFrontend a frontend's name to its listener (see the class comment)
     * @throws ConfigException as {@link #start(ProxyFile, ProxyListener)} does
     */
    public static Deployment start(ProxyFile file, Function<String, ProxyListener> listenerForFrontend) {
        return start(file, ProxyListener.NOOP, listenerForFrontend);
    }

    /**
     * Starts the runtime, the backends and a proxy per bind, each frontend with its own listener.
     *
     * @param servers hears every backend's server state changes, once each (and nothing else)
     * @param listenerForFrontend a frontend's name to its listener, called once per frontend when
     *     it first runs (see the class comment); it must not return null, and must not block
     * @throws ConfigException as {@link #start(ProxyFile, ProxyListener)} does
     */
    public static Deployment start(ProxyFile file, ProxyListener servers,
            Function<String, ProxyListener> listenerForFrontend) {
        FilePlan plan = FilePlan.of(Objects.requireNonNull(file, "file"));
        Objects.requireNonNull(servers, "servers");
        Objects.requireNonNull(listenerForFrontend, "listenerForFrontend");
        ProxyRuntime runtime = FilePlan.runtimeBuilder(file.global()).start();
        Deployment deployment = new Deployment(runtime, servers, listenerForFrontend, plan);
        try {
            plan.backends().values().forEach(backend -> deployment.backends.put(backend.name(),
                    deployment.startGroup(backend)));
            for (FrontendPlan frontend : plan.frontends().values()) {
                for (BindLine bind : frontend.section().binds()) {
                    deployment.binds.put(bind.address(), deployment.open(frontend, bind, deployment.backends,
                            deployment.frontendListeners));
                }
            }
        } catch (RuntimeException e) {
            deployment.close();
            throw e;
        }
        LOGGER.info("Configuration {} generation 1: {} frontend(s) on {} bind(s), {} backend(s), {}{}", file.name(),
                plan.frontends().size(), deployment.binds.size(), deployment.backends.size(), runtime,
                file.stats().map(stats -> "; stats section " + stats.describe()).orElse(""));
        return deployment;
    }

    private UpstreamGroup startGroup(BackendPlan backend) {
        UpstreamGroup group = backend.builder().build();
        Duration connectTimeout = backend.section().timeoutConnect() != null
                ? BackendPlan.noneIsLongest(backend.section().timeoutConnect().value())
                : ProxyBuilder.DEFAULT_CONNECT_TIMEOUT;
        // The deployment's, not a frontend's: a group serves several, and each change is reported once.
        group.start(runtime.upstreamRuntime(servers, connectTimeout));
        // The file's use: ended by the reload that removes the backend.
        users.acquire(group);
        return group;
    }

    /**
     * The listener of a frontend: the one in {@code listeners} (those of the generation being
     * made), else a new one from {@code listenerForFrontend}, put there.
     */
    private ProxyListener listenerOf(String frontend, Map<String, ProxyListener> listeners) {
        return listeners.computeIfAbsent(frontend, this::newListener);
    }

    private ProxyListener newListener(String frontend) {
        return Objects.requireNonNull(listenerForFrontend.apply(frontend), () -> "listenerForFrontend returned null "
                + "for frontend " + frontend + " (expected: a listener, or ProxyListener.NOOP)");
    }

    private RunningBind open(FrontendPlan frontend, BindLine bind, Map<String, UpstreamGroup> groups,
            Map<String, ProxyListener> listeners) {
        ProxyListener listener = listenerOf(frontend.section().name(), listeners);
        try {
            Proxy proxy = frontend.builder(bind, runtime, groups, users, listener).start();
            return new RunningBind(frontend.section().name(), bind, proxy);
        } catch (ProxyBindException e) {
            throw new ConfigException(new ConfigError(bind.where(), "bind", "cannot listen on "
                    + bind.address().getHostString() + ":" + bind.address().getPort() + ": "
                    + e.getCause().getMessage(), "an address this machine has and no other socket listens on", null));
        }
    }

    /** The configuration's number: 1 at the start, one more per successful reload. */
    public synchronized long generation() {
        return generation;
    }

    /** The file running now. */
    public synchronized ProxyFile file() {
        return plan.file();
    }

    /** The runtime every frontend runs on. */
    public ProxyRuntime runtime() {
        return runtime;
    }

    /** The proxy of each bind address (as written in the file), in file order. */
    public synchronized Map<InetSocketAddress, Proxy> proxies() {
        Map<InetSocketAddress, Proxy> proxies = new LinkedHashMap<>();
        binds.forEach((address, running) -> proxies.put(address, running.proxy()));
        return proxies;
    }

    /** The frontend each bind address belongs to now. */
    public synchronized Map<InetSocketAddress, String> frontends() {
        Map<InetSocketAddress, String> names = new LinkedHashMap<>();
        binds.forEach((address, running) -> names.put(address, running.frontend()));
        return names;
    }

    /** The figures of every bind's proxy together ({@link ProxyStats#sum}), those a reload removed included. */
    public synchronized ProxyStats stats() {
        List<ProxyStats> all = new ArrayList<>();
        binds.values().forEach(running -> all.add(running.proxy().stats()));
        retired.forEach(proxy -> all.add(proxy.stats()));
        all.addAll(retiredStats);
        return ProxyStats.sum(all);
    }

    /** The drain timeout the file sets ({@code hard-stop-after}), or the library's default. */
    public synchronized Duration drainTimeout() {
        GlobalSection global = plan.file().global();
        return global.hardStopAfter() != null ? global.hardStopAfter().value() : ProxyBuilder.DEFAULT_DRAIN_TIMEOUT;
    }

    /** The group of each backend, in file order. */
    public synchronized Map<String, UpstreamGroup> backends() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    }

    /**
     * Everything running now, of one generation: each frontend with its binds' proxies, each
     * backend's group, the generation and the file. What an admin endpoint or a metrics layer
     * enumerates; cheap (a copy of two small maps), so take one per request or scrape.
     */
    public synchronized DeploymentView view() {
        Map<String, List<DeploymentView.Bind>> byFrontend = new LinkedHashMap<>();
        // The file's order of frontends, then each one's binds in the file's order.
        plan.frontends().keySet().forEach(name -> byFrontend.put(name, new ArrayList<>()));
        binds.forEach((address, running) -> byFrontend.computeIfAbsent(running.frontend(), name -> new ArrayList<>())
                .add(new DeploymentView.Bind(address, running.proxy())));
        Map<String, DeploymentView.Frontend> frontends = new LinkedHashMap<>();
        byFrontend.forEach((name, list) -> frontends.put(name, new DeploymentView.Frontend(name, list)));
        return new DeploymentView(generation, plan.file(), runtime, frontends, backends);
    }

    /**
     * Applies a new file (see the class comment).
     *
     * @throws ConfigException with every error found, or a bind that failed; nothing changed then
     * @throws IllegalStateException if closed
     */
    public synchronized ReloadReport reload(ProxyFile file) {
        if (closed) {
            throw new IllegalStateException("reload(): the deployment is closed (expected: a running one)");
        }
        FilePlan next = FilePlan.of(Objects.requireNonNull(file, "file"));
        requireReloadable(next);
        // 0. The frontends' listeners: those kept keep theirs; those added get theirs now, in file
        // order, before anything starts (a new frontend's binds may all be kept ones), and lose them
        // again if the reload fails.
        Map<String, ProxyListener> listeners = new LinkedHashMap<>();
        for (String name : next.frontends().keySet()) {
            ProxyListener kept = frontendListeners.get(name);
            listeners.put(name, kept != null ? kept : newListener(name));
        }
        // 1. New backends, started but not yet routed to.
        Map<String, UpstreamGroup> groups = new LinkedHashMap<>(backends);
        List<String> added = new ArrayList<>();
        for (BackendPlan backend : next.backends().values()) {
            if (!backends.containsKey(backend.name())) {
                groups.put(backend.name(), startGroup(backend));
                added.add(backend.name());
            }
        }
        // 2. New binds, opened before anything is closed; all or none.
        Map<InetSocketAddress, RunningBind> opened = new LinkedHashMap<>();
        try {
            for (FrontendPlan frontend : next.frontends().values()) {
                for (BindLine bind : frontend.section().binds()) {
                    if (!binds.containsKey(bind.address())) {
                        opened.put(bind.address(), open(frontend, bind, groups, listeners));
                    }
                }
            }
        } catch (RuntimeException e) {
            // Closed at once, in the background: they were open a moment, and a stop signal must not wait for them.
            opened.values().forEach(this::drainInBackground);
            added.forEach(name -> users.release(groups.get(name)));
            throw e;
        }
        // 3. Backends kept: updated in place (checked by the plan: cannot fail).
        List<String> updated = new ArrayList<>();
        for (BackendPlan backend : next.backends().values()) {
            if (backends.containsKey(backend.name())) {
                backends.get(backend.name()).update(backend.builder());
                updated.add(backend.name());
            }
        }
        // 4. Binds kept: the new file for their new connections, same sockets.
        List<InetSocketAddress> kept = new ArrayList<>();
        Map<InetSocketAddress, RunningBind> now = new LinkedHashMap<>();
        for (FrontendPlan frontend : next.frontends().values()) {
            for (BindLine bind : frontend.section().binds()) {
                RunningBind running = binds.get(bind.address());
                if (running != null) {
                    ProxyListener listener = listenerOf(frontend.section().name(), listeners);
                    ProxyConfig config = frontend.builder(bind, runtime, groups, users, listener).build();
                    running.proxy().reconfigure(config);
                    now.put(bind.address(), new RunningBind(frontend.section().name(), bind, running.proxy()));
                    kept.add(bind.address());
                } else {
                    now.put(bind.address(), opened.get(bind.address()));
                }
            }
        }
        // 5. Binds removed: stop accepting now, drain in the background.
        List<InetSocketAddress> closedBinds = new ArrayList<>();
        binds.forEach((address, running) -> {
            if (!now.containsKey(address)) {
                closedBinds.add(address);
                drainInBackground(running);
            }
        });
        // 6. Backends removed: the file's use ends; a group stops once no configuration routes to it
        // (connections of older configurations, and of removed binds draining, keep theirs running).
        List<String> removed = new ArrayList<>();
        backends.forEach((name, group) -> {
            if (!next.backends().containsKey(name)) {
                users.release(group);
                groups.remove(name);
                removed.add(name);
            }
        });
        binds.clear();
        binds.putAll(now);
        backends.clear();
        backends.putAll(groups);
        if (file.global().maxConn() != null || plan.file().global().maxConn() != null) {
            runtime.maxConnections(file.global().maxConn() == null ? 0 : file.global().maxConn().value());
        }
        List<String> addedFrontends = new ArrayList<>();
        List<String> keptFrontends = new ArrayList<>();
        next.frontends().keySet().forEach(name -> (plan.frontends().containsKey(name) ? keptFrontends : addedFrontends)
                .add(name));
        List<String> removedFrontends = plan.frontends().keySet().stream()
                .filter(name -> !next.frontends().containsKey(name)).toList();
        boolean statsChanged = !StatsSection.alike(plan.file().stats(), file.stats());
        frontendListeners = listeners;
        plan = next;
        generation++;
        ReloadReport report = new ReloadReport(generation, List.copyOf(opened.keySet()), closedBinds, kept, added,
                removed, updated, addedFrontends, removedFrontends, keptFrontends, file.stats(), statsChanged);
        LOGGER.info("Configuration {} reloaded: {}", file.name(), report.summary());
        return report;
    }

    /**
     * What a reload cannot change: the loops (transport, count), and on a bind that stays open
     * the forwarding mode and splice threshold its sockets were set up for.
     */
    private void requireReloadable(FilePlan next) {
        List<ConfigError> errors = new ArrayList<>();
        GlobalSection is = next.file().global();
        // What the new file asks for, its defaults included, against what runs.
        String transport = is.transport() != null ? is.transport().value() : Transport.best().name();
        if (!transport.equals(runtime.transport().name())) {
            errors.add(restartOnly(is.transport(), "transport", transport, runtime.transport().name(), next));
        }
        int loops = is.nbThread() != null ? is.nbThread().value() : ProxyBuilder.DEFAULT_EVENT_LOOPS;
        if (loops != runtime.eventLoops()) {
            errors.add(restartOnly(is.nbThread(), "nbthread", loops, runtime.eventLoops(), next));
        }
        for (FrontendPlan frontend : next.frontends().values()) {
            for (BindLine bind : frontend.section().binds()) {
                RunningBind running = binds.get(bind.address());
                if (running == null) {
                    continue;
                }
                ProxyConfig current = running.proxy().config();
                // Only compared: no frontend's listener is needed for that.
                ProxyConfig wanted = frontend.builder(bind, runtime, null, null, ProxyListener.NOOP).build();
                if (wanted.forwarding() != current.forwarding()
                        || wanted.spliceThreshold() != current.spliceThreshold()) {
                    Located<?> where = frontend.section().forwarding() != null ? frontend.section().forwarding()
                            : frontend.section().spliceThreshold();
                    errors.add(new ConfigError(where != null ? where.where() : bind.where(),
                            where != null ? where.keyword() : "bind", "forwarding " + wanted.forwarding()
                            + " (splice threshold " + wanted.spliceThreshold() + ") on " + bind.address()
                            + ", which stays open with " + current.forwarding() + " (" + current.spliceThreshold() + ")",
                            "the same forwarding on a bind that stays open: the listening sockets were set up for it;"
                            + " restart, or move the frontend to another address", null));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /** A global setting that differs from the running one; at its line, or the file's first when the file dropped it. */
    private static ConfigError restartOnly(Located<?> value, String keyword, Object wanted, Object running,
            FilePlan next) {
        SourcePosition where = value != null ? value.where() : new SourcePosition(next.file().name(), 1, 1);
        return new ConfigError(where, keyword, keyword + " " + wanted + (value == null ? " (the default)" : "")
                + " differs from the running " + running + ", which changes only at a restart",
                keyword + " " + running + " until a restart", null);
    }

    /**
     * Unbinds now, so that no client reaches the removed bind once {@link #reload} has returned
     * (its connections would get the old file, and maybe a backend just stopped); drains in the
     * background.
     */
    private void drainInBackground(RunningBind running) {
        running.proxy().stopAccepting();
        retired.add(running.proxy());
        Thread drain = new Thread(() -> {
            running.proxy().close();
            LOGGER.info("Frontend {}: {} closed, its connections drained", running.frontend(),
                    running.bind().address());
            synchronized (this) {
                // Its figures stay in stats(); the proxy and this thread go.
                retiredStats.add(running.proxy().stats());
                retired.remove(running.proxy());
                draining.remove(Thread.currentThread());
            }
        }, "zeroproxy-drain-" + running.bind().address());
        drain.setDaemon(true);
        draining.add(drain);
        drain.start();
    }

    /**
     * Stops every bind at once (each drains for up to its drain timeout), then the backends and
     * the loops. Idempotent; blocks until done. An interrupt ends the drains early, as
     * {@link Proxy#close()} says.
     */
    @Override
    public void close() {
        close(() -> { });
    }

    /**
     * {@link #close()}, running {@code beforeLoopsStop} once every bind has drained and before the
     * backends and the loops stop: for what else runs on the loops and must close while they
     * still run (the forwarder's admin endpoint, which shows the drain until its end). It runs
     * on the calling thread, once; what it throws is thrown after the loops have stopped.
     */
    public void close(Runnable beforeLoopsStop) {
        List<Thread> closing = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            binds.values().forEach(running -> {
                Thread thread = new Thread(running.proxy()::close, "zeroproxy-close-" + running.bind().address());
                closing.add(thread);
                thread.start();
            });
            closing.addAll(draining);
        }
        boolean interrupted = false;
        for (Thread thread : closing) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    closing.forEach(Thread::interrupt);
                }
            }
        }
        try {
            beforeLoopsStop.run();
        } finally {
            backends.values().forEach(UpstreamGroup::stop);
            runtime.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
