package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Several servers behind one {@link Upstream}: a {@link Balancer} picks one per connection among
 * those that are up and have room, active checks and passive ejection keep failing servers out,
 * a failed connect is retried on another server, and servers can be added, removed, reweighted,
 * drained and disabled while the proxy runs, without dropping a connection. See
 * {@code docs/upstreams.md} for the model and the defaults beside HAProxy's, nginx's and Envoy's.
 *
 * <pre>{@code
 * UpstreamGroup app = UpstreamGroup.builder("app")
 *         .server("a", new InetSocketAddress("127.0.0.1", 9001))
 *         .server("b", new InetSocketAddress("127.0.0.1", 9002))
 *         .server(ServerSpec.of("c", new InetSocketAddress("127.0.0.1", 9003)).weight(2))
 *         .balance(Balance.LEAST_CONNECTIONS)
 *         .healthCheck(HealthCheck.tcp())
 *         .build();
 * try (Proxy proxy = Proxy.builder().listen(new InetSocketAddress(8080)).upstream(app).start()) {
 *     app.drain("a", Duration.ofMinutes(1));   // from any thread
 *     app.servers();                           // state, connections, failures, last check
 * }
 * }</pre>
 *
 * <p>Thread-safe. A group serves one running proxy at a time: its checks start with the proxy
 * and stop when the proxy closes; the group can then serve another proxy, keeping its servers'
 * states and counts.
 */
public final class UpstreamGroup implements Upstream {
    /** Highest server weight (HAProxy's too). */
    public static final int MAX_WEIGHT = 256;
    /** Default {@link Builder#retries}: HAProxy's. */
    public static final int DEFAULT_RETRIES = 3;

    private final String name;
    // The group-wide settings: volatile, as update() may replace them while connections select.
    private volatile Balancer balancer;
    private volatile Balance balance;
    private volatile boolean customBalancer;
    private volatile int retries;
    private volatile HealthCheck healthCheck;
    private volatile PassiveEjection ejection;
    private volatile Duration queueTimeout;
    private volatile Duration connectTimeout;
    private volatile boolean closeConnectionsOnDown;
    private volatile ProxyProtocolSend sendProxyProtocol;
    private final WaitQueue queue;
    private volatile ServerChoice choice;
    private final Object ejectionDecisions = new Object();
    private final GroupHealth health;
    /** The servers now, in order; replaced as a whole under the lock on every change. */
    private volatile List<GroupServer> servers;

    /** @param primeBalancer false for {@link #update}'s model, whose balancer learns the servers it will really pick from */
    private UpstreamGroup(Builder b, boolean primeBalancer) {
        this.name = b.name;
        this.balance = b.balance;
        this.customBalancer = b.balancer != null;
        this.balancer = customBalancer ? b.balancer : b.balance.newBalancer();
        this.retries = b.retries;
        this.healthCheck = b.healthCheck;
        this.ejection = b.ejection;
        this.queueTimeout = b.queueTimeout;
        this.closeConnectionsOnDown = b.closeConnectionsOnDown;
        this.sendProxyProtocol = b.sendProxyProtocol;
        this.connectTimeout = b.connectTimeout;
        this.queue = new WaitQueue(name);
        this.choice = new ServerChoice(balancer);
        this.health = new GroupHealth(this);
        List<GroupServer> built = new ArrayList<>();
        for (ServerSpec spec : b.servers) {
            built.add(newServer(spec));
        }
        this.servers = List.copyOf(built);
        if (primeBalancer) {
            balancer.serversChanged(servers);
        }
    }

    /** A builder for a group named {@code name} (the name appears in logs, events and the stats). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Adopts an update's group-wide settings ({@link #update}); under the group's lock. Returns
     * whether the balancer was replaced (it then knows none of this group's servers yet).
     */
    boolean adoptSettings(UpstreamGroup next) {
        boolean newBalancer = next.customBalancer || next.balance != balance || customBalancer;
        retries = next.retries;
        healthCheck = next.healthCheck;
        ejection = next.ejection;
        queueTimeout = next.queueTimeout;
        connectTimeout = next.connectTimeout;
        closeConnectionsOnDown = next.closeConnectionsOnDown;
        sendProxyProtocol = next.sendProxyProtocol;
        return newBalancer;
    }

    GroupServer newServer(ServerSpec spec) {
        return new GroupServer(spec, new EjectionTracker(ejection, System::nanoTime));
    }

    /** The group's name. */
    @Override
    public String name() {
        return name;
    }

    @Override
    public int retries() {
        return retries;
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.ofNullable(connectTimeout);
    }

    /** Each server now: state, connections, failures, last check. */
    public List<ServerSnapshot> servers() {
        List<ServerSnapshot> snapshots = new ArrayList<>();
        for (GroupServer server : servers) {
            snapshots.add(server.snapshot());
        }
        return snapshots;
    }

    /** Connections waiting now for a server with room. */
    public int queued() {
        return queue.size();
    }

    // ---- selection: on the connection's event loop ----

    @Override
    public void select(UpstreamAttempt attempt) {
        GroupLease lease = lease(attempt);
        if (lease != null) {
            attempt.connect(lease);
            return;
        }
        List<GroupServer> now = servers;
        if (ServerChoice.anyFull(now) && health.isRunning()) {
            queue.add(attempt, queueTimeout != null ? queueTimeout : health.connectTimeout(), health.timers());
            // A slot may have freed between the look above and the add: serve the queue once now.
            queue.serve(this::lease);
            return;
        }
        attempt.refuse(new UpstreamUnavailableException(UpstreamUnavailableException.Reason.NO_SERVER,
                name + ": no server is up (" + ServerChoice.describeStates(now) + ")"));
    }

    private GroupLease lease(UpstreamAttempt attempt) {
        GroupServer server = choice.pick(servers, attempt);
        return server == null ? null : new GroupLease(this, server);
    }

    // ---- outcomes, from GroupLease ----

    void connectSucceeded(GroupServer server) {
        server.ejection.onConnectSuccess();
    }

    void connectFailed(GroupServer server, Throwable cause) {
        boolean ejected;
        // One ejection decision at a time: two servers failing on two loops must not both see
        // room for one more ejection and both take it.
        synchronized (ejectionDecisions) {
            ejected = server.ejection.onConnectFailure(() -> mayEject(server));
        }
        if (ejected) {
            health.ejected(server, cause);
        }
        slotFreed(server);
    }

    void slotFreed(GroupServer server) {
        queue.serve(this::lease);
    }

    /**
     * Passive ejection may take {@code candidate} out: within the group's share (at least one
     * server may always be), and never the last server that takes connections, so that a blip
     * on the network cannot empty the group (nginx never marks a group's only server down either).
     */
    private boolean mayEject(GroupServer candidate) {
        List<GroupServer> now = servers;
        int ejected = 0;
        boolean anotherTakesConnections = false;
        for (GroupServer server : now) {
            if (server.ejection.isEjected()) {
                ejected++;
            } else if (server != candidate && server.state().takesConnections()) {
                anotherTakesConnections = true;
            }
        }
        return anotherTakesConnections && ejection.allowsEjection(ejected, now.size());
    }

    // ---- lifecycle ----

    @Override
    public synchronized void start(UpstreamRuntime runtime) {
        health.start(runtime, servers);
    }

    @Override
    public void stop() {
        health.stop();
        queue.refuseAll();
    }

    /** The active checks' settings, if the group checks its servers. */
    public Optional<HealthCheck> healthCheck() {
        return Optional.ofNullable(healthCheck);
    }

    /** The balancing algorithm (see {@link #hasCustomBalancer()}). */
    public Balance balance() {
        return balance;
    }

    /** Whether a balancer of the user's own replaces {@link #balance()}. */
    public boolean hasCustomBalancer() {
        return customBalancer;
    }

    /** The PROXY protocol header the group's servers are sent (unless a server says otherwise), if any. */
    public Optional<ProxyProtocolSend> sendProxyProtocol() {
        return Optional.ofNullable(sendProxyProtocol);
    }

    /** The passive ejection settings. */
    public PassiveEjection passiveEjection() {
        return ejection;
    }

    boolean closesConnectionsOnDown() {
        return closeConnectionsOnDown;
    }

    // ---- runtime changes: any thread ----

    /**
     * Makes this running group what {@code next} describes, without losing what it has learnt:
     * servers are matched by name, and a server with the same name and address keeps its state
     * (checks, ejection, drain), its connections and its counters, and takes its new weight,
     * limit, backup flag and overrides; a server whose address changed is a new server (the old
     * one removed); servers {@code next} lacks are removed (their open connections finish), and
     * new ones added. The group-wide settings (balance, retries, checks, ejection, timeouts,
     * PROXY header) are replaced; a balancer kept (same {@link Balance}) keeps its position.
     * Connections already connected are not touched. What a reload of a configuration file does
     * to each backend.
     *
     * @param next the new settings and servers; checked as {@link Builder#build()} checks them
     * @throws InvalidSettingException naming the first bad setting; then nothing changed
     */
    public synchronized void update(Builder next) {
        GroupUpdate.apply(this, next.build(false), health);
    }

    /**
     * The servers, replaced as a whole: for {@link GroupUpdate}, under the group's lock. Unless
     * {@code toBalancer}, the balancer is not told: the same servers with the same weights, it
     * keeps its place (a round robin would start again from the first server at every reload).
     * The queue is served either way: a limit may have risen.
     */
    void replaceServers(List<GroupServer> changed, boolean toBalancer) {
        if (toBalancer) {
            publish(changed);
        }
        queue.serve(this::lease);
    }

    /**
     * Switches to {@code next}'s balancer with {@code changed} as the servers: the balancer learns
     * them before any selection can reach it (never the model's own servers, which no count
     * follows), then the servers, the balancer and the choice are published.
     */
    void replaceServersAndBalancer(List<GroupServer> changed, UpstreamGroup next) {
        List<GroupServer> published = List.copyOf(changed);
        next.balancer.serversChanged(published);
        servers = published;
        balance = next.balance;
        customBalancer = next.customBalancer;
        balancer = next.balancer;
        choice = new ServerChoice(next.balancer);
        queue.serve(this::lease);
    }

    /** Adds a server; it takes connections at once (and is checked, if the group checks). */
    public synchronized void addServer(ServerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        spec.validate();
        if (find(spec.name()).isPresent()) {
            throw new InvalidSettingException("server", spec.name(), "a name not yet in group " + name);
        }
        GroupServer server = newServer(spec);
        List<GroupServer> changed = new ArrayList<>(servers);
        changed.add(server);
        publish(changed);
        health.added(server);
        queue.serve(this::lease);
    }

    /**
     * Removes a server: it takes no new connection, its checks stop, and its open connections
     * finish on it.
     *
     * @throws IllegalArgumentException if there is no such server, or it is the last one
     */
    public synchronized void removeServer(String serverName) {
        GroupServer server = require(serverName);
        if (servers.size() == 1) {
            throw new InvalidSettingException("server", serverName, "a server other than group " + name
                    + "'s last one (a group keeps at least one)");
        }
        List<GroupServer> changed = new ArrayList<>(servers);
        changed.remove(server);
        server.adminState(ServerState.REMOVED);
        publish(changed);
        health.removed(server);
        health.report(server, "removed by the operator");
    }

    /** Changes a server's weight, 1 to {@value #MAX_WEIGHT}; new connections follow it at once. */
    public synchronized void setWeight(String serverName, int weight) {
        GroupServer server = require(serverName);
        ServerSpec.checkWeight(serverName, weight);
        server.spec(server.spec().weight(weight));
        publish(servers);
    }

    /**
     * Drains a server: no new connection goes to it, its open ones finish. With a positive
     * {@code deadline}, those still open then are cut (reset); with {@link Duration#ZERO}, they
     * may take as long as they need.
     */
    public synchronized void drain(String serverName, Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new InvalidSettingException("drain deadline", deadline, ">= 0 (0: no deadline)");
        }
        GroupServer server = require(serverName);
        server.adminState(ServerState.DRAINING);
        health.report(server, "drained by the operator");
        if (!deadline.isZero()) {
            health.cutAfter(server, deadline);
        }
    }

    /** Disables a server (maintenance): no new connection goes to it, its open ones finish. */
    public synchronized void disable(String serverName) {
        GroupServer server = require(serverName);
        server.adminState(ServerState.DISABLED);
        health.report(server, "disabled by the operator");
    }

    /** Ends a drain or a disable: the server takes connections again (if its checks pass). */
    public synchronized void enable(String serverName) {
        GroupServer server = require(serverName);
        server.adminState(null);
        health.report(server, "enabled by the operator");
        queue.serve(this::lease);
    }

    private void publish(List<GroupServer> changed) {
        servers = List.copyOf(changed);
        balancer.serversChanged(servers);
    }

    private GroupServer require(String serverName) {
        Objects.requireNonNull(serverName, "server");
        return find(serverName).orElseThrow(() -> new InvalidSettingException("server", serverName,
                "one of group " + name + "'s servers: " + serverNames()));
    }

    private Optional<GroupServer> find(String serverName) {
        for (GroupServer server : servers) {
            if (server.name().equals(serverName)) {
                return Optional.of(server);
            }
        }
        return Optional.empty();
    }

    private String serverNames() {
        List<String> names = new ArrayList<>();
        servers.forEach(s -> names.add(s.name()));
        return String.join(", ", names);
    }

    List<GroupServer> currentServers() {
        return servers;
    }

    @Override
    public String toString() {
        return name + " " + (customBalancer ? "custom balancer" : balance.keyword()) + " " + servers;
    }

    /**
     * Settings of a group; {@link #build()} checks them. Defaults: round robin, 3 retries, no
     * active checks, passive ejection on ({@link PassiveEjection#defaults()}), queue timeout
     * equal to the proxy's connect timeout, connections of a server marked down left to finish.
     */
    public static final class Builder {
        private final String name;
        private final List<ServerSpec> servers = new ArrayList<>();
        private Balance balance = Balance.ROUND_ROBIN;
        private Balancer balancer;
        private int retries = DEFAULT_RETRIES;
        private HealthCheck healthCheck;
        private PassiveEjection ejection = PassiveEjection.defaults();
        private Duration queueTimeout;
        private boolean closeConnectionsOnDown;
        private ProxyProtocolSend sendProxyProtocol;
        private Duration connectTimeout;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Adds a primary server of weight 1. */
        public Builder server(String serverName, InetSocketAddress address) {
            return server(ServerSpec.of(serverName, address));
        }

        /** Adds a server. */
        public Builder server(ServerSpec spec) {
            servers.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /** The balancing algorithm; default {@link Balance#ROUND_ROBIN}. */
        public Builder balance(Balance algorithm) {
            this.balance = Objects.requireNonNull(algorithm, "balance");
            this.balancer = null;
            return this;
        }

        /** A balancer of the user's own instead of a {@link Balance}; one instance per group. */
        public Builder balancer(Balancer custom) {
            this.balancer = Objects.requireNonNull(custom, "balancer");
            return this;
        }

        /**
         * How many times a failed connect is retried, each on another usable server when there is
         * one; default {@value UpstreamGroup#DEFAULT_RETRIES}, 0 to 100.
         */
        public Builder retries(int count) {
            this.retries = count;
            return this;
        }

        /** Active checks of every server; default none (servers are taken as up until connects fail). */
        public Builder healthCheck(HealthCheck check) {
            this.healthCheck = Objects.requireNonNull(check, "healthCheck");
            return this;
        }

        /** Passive ejection after failed connects; default {@link PassiveEjection#defaults()}. */
        public Builder passiveEjection(PassiveEjection settings) {
            this.ejection = Objects.requireNonNull(settings, "passiveEjection");
            return this;
        }

        /**
         * How long a connection may wait for a server with room when every usable server is at
         * its connection limit; then it is refused. Default: the proxy's connect timeout
         * (HAProxy's {@code timeout queue} defaults to its {@code timeout connect} too).
         */
        public Builder queueTimeout(Duration timeout) {
            this.queueTimeout = Objects.requireNonNull(timeout, "queueTimeout");
            return this;
        }

        /**
         * Whether the open connections of a server marked down (by its checks) are cut (reset)
         * then, as HAProxy's {@code on-marked-down shutdown-sessions}; default false: they finish
         * on their own.
         */
        public Builder closeConnectionsOnDown(boolean close) {
            this.closeConnectionsOnDown = close;
            return this;
        }

        /**
         * A PROXY protocol header for every server of the group (a server's own setting wins);
         * default: the proxy's ({@code ProxyBuilder.sendProxyProtocol}), if any.
         */
        public Builder sendProxyProtocol(ProxyProtocolSend send) {
            this.sendProxyProtocol = Objects.requireNonNull(send, "sendProxyProtocol");
            return this;
        }

        /**
         * How long each connect attempt to the group's servers may take (HAProxy's backend
         * {@code timeout connect}); default: the proxy's ({@code ProxyBuilder.connectTimeout}).
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
            return this;
        }

        /**
         * Checks the settings and builds the group.
         *
         * @throws InvalidSettingException naming the first bad setting
         */
        public UpstreamGroup build() {
            return build(true);
        }

        /** @param primeBalancer false for an update's model (see {@link UpstreamGroup#update}) */
        private UpstreamGroup build(boolean primeBalancer) {
            if (name.isBlank()) {
                throw new InvalidSettingException("group name", name, "a non-blank name");
            }
            if (servers.isEmpty()) {
                throw new InvalidSettingException("servers", "none", "at least one server");
            }
            List<String> names = new ArrayList<>();
            for (ServerSpec spec : servers) {
                spec.validate();
                if (names.contains(spec.name())) {
                    throw new InvalidSettingException("server", spec.name(), "a name used once in group " + name);
                }
                names.add(spec.name());
            }
            if (retries < 0 || retries > 100) {
                throw InvalidSettingException.outOfRange("retries", retries, 0, 100, "");
            }
            if (queueTimeout != null && (queueTimeout.isNegative() || queueTimeout.toMillis() < 1)) {
                throw new InvalidSettingException("queueTimeout", queueTimeout, ">= 1 ms");
            }
            if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.toMillis() < 1
                    || connectTimeout.toMillis() > Integer.MAX_VALUE)) {
                throw InvalidSettingException.outOfRange("connectTimeout", connectTimeout, Duration.ofMillis(1),
                        Duration.ofMillis(Integer.MAX_VALUE), "");
            }
            return new UpstreamGroup(this, primeBalancer);
        }
    }
}
