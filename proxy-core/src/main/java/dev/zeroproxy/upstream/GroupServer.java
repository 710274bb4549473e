package dev.zeroproxy.upstream;

import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server of a group while the group runs: its settings, its connection count, and the three
 * things its {@link ServerState} is made of: what the operator said (drain, disable, remove),
 * what the active checks found, and whether passive ejection holds it out. Thread-safe: counts
 * are atomic, the state's parts are volatile, and the group serializes state changes so that
 * each is reported once.
 */
final class GroupServer implements UpstreamServer {
    private final String name;
    private final InetSocketAddress address;
    /** Its settings now: replaced as a whole by a weight change or a group update, its counts kept. */
    private volatile ServerSpec spec;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder total = new LongAdder();
    private final LongAdder failedConnects = new LongAdder();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger drains = new AtomicInteger();
    /** The cuts of this server's open connections, for a drain deadline or a close on down. */
    private final Set<Runnable> connections = ConcurrentHashMap.newKeySet();
    final EjectionTracker ejection;
    /** DRAINING, DISABLED or REMOVED as the operator set it; null when the operator has not. */
    private volatile ServerState adminState;
    private volatile boolean checksUp = true;
    private volatile CheckResult lastCheck;
    /** The state last reported, so that each change is reported once; written under the group's lock. */
    ServerState reported = ServerState.UP;
    /** Active checks, while the group runs with checks. */
    HealthChecker checker;

    GroupServer(ServerSpec spec, EjectionTracker ejection) {
        this.name = spec.name();
        this.address = spec.address();
        this.spec = spec;
        this.ejection = ejection;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public int weight() {
        return spec.weight();
    }

    ServerSpec spec() {
        return spec;
    }

    /** New settings for the same server (same name and address): its state and counts stay. */
    void spec(ServerSpec changed) {
        spec = changed;
    }

    @Override
    public int activeConnections() {
        return active.get();
    }

    @Override
    public boolean backup() {
        return spec.isBackup();
    }

    /** The PROXY header this server is sent; null for the group's (or the proxy's). */
    ProxyProtocolSend sendProxyProtocol() {
        return spec.proxyProtocol().orElse(null);
    }

    int maxConnections() {
        return spec.maxConnections();
    }

    /** The state now, from its parts: the operator's word first, then the checks, then ejection. */
    ServerState state() {
        ServerState admin = adminState;
        if (admin != null) {
            return admin;
        }
        if (!checksUp) {
            return ServerState.DOWN;
        }
        return ejection.isEjected() ? ServerState.EJECTED : ServerState.UP;
    }

    void adminState(ServerState state) {
        if (state == ServerState.DRAINING) {
            drains.incrementAndGet();
        }
        adminState = state;
    }

    void checksUp(boolean up) {
        checksUp = up;
    }

    boolean checksUp() {
        return checksUp;
    }

    /** How many times the operator drained it: a drain's deadline timer cuts only for its own drain. */
    int drains() {
        return drains.get();
    }

    void lastCheck(CheckResult result) {
        lastCheck = result;
    }

    /** Whether it is up and below its connection limit. */
    boolean takesConnection() {
        int maxConnections = spec.maxConnections();
        return state().takesConnections() && (maxConnections == 0 || active.get() < maxConnections);
    }

    /** Whether it is up but at its connection limit: a connection may wait for it. */
    boolean isFull() {
        int maxConnections = spec.maxConnections();
        return state().takesConnections() && maxConnections > 0 && active.get() >= maxConnections;
    }

    /** Takes one connection slot; false if the limit was reached meanwhile. */
    boolean tryAcquire() {
        int now = active.incrementAndGet();
        int maxConnections = spec.maxConnections();
        if (maxConnections > 0 && now > maxConnections) {
            active.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives a slot back; returns the connections left. */
    int release() {
        return active.decrementAndGet();
    }

    void connected(Runnable cut) {
        total.increment();
        consecutiveFailures.set(0);
        connections.add(cut);
    }

    void disconnected(Runnable cut) {
        connections.remove(cut);
    }

    void connectFailed() {
        failedConnects.increment();
        consecutiveFailures.incrementAndGet();
    }

    /** Cuts every open connection of this server (each on its own event loop). */
    int cutConnections() {
        int cut = 0;
        for (Runnable connection : connections) {
            connection.run();
            cut++;
        }
        return cut;
    }

    ServerSnapshot snapshot() {
        ServerSpec now = spec;
        return new ServerSnapshot(name, address, now.weight(), now.isBackup(), now.maxConnections(), state(), active.get(), total.sum(),
                failedConnects.sum(), consecutiveFailures.get(), Optional.ofNullable(lastCheck));
    }

    @Override
    public String toString() {
        return name + " (" + address.getHostString() + ":" + address.getPort() + ")";
    }
}
