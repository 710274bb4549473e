package dev.zeroproxy.internal;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamRuntime;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The event loops and connection limit behind a {@link ProxyRuntime}: a proxy built with one
 * takes its loops from here ({@link ProxyServer}) and counts under its limit, and does not stop
 * the loops when it closes.
 */
public final class SharedRuntime implements ProxyRuntime {
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final Transport transport;
    private final int eventLoops;
    private volatile int maxConnections;
    private final EventLoopGroup group;
    private final AcceptLimit limit;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The proxies started on it and not closed yet. */
    private final Set<ProxyServer> proxies = ConcurrentHashMap.newKeySet();

    private SharedRuntime(Transport transport, int eventLoops, int maxConnections) {
        this.transport = transport;
        this.eventLoops = eventLoops;
        this.maxConnections = maxConnections;
        this.limit = new AcceptLimit(maxConnections, null);
        this.group = transport.newEventLoopGroup(eventLoops, new DefaultThreadFactory("zeroproxy-" + transport.name()));
    }

    /** Starts the loops of a runtime whose settings {@link ProxyRuntime.Builder} checked. */
    public static SharedRuntime start(Transport transport, int eventLoops, int maxConnections) {
        return new SharedRuntime(Objects.requireNonNull(transport, "transport"), eventLoops, maxConnections);
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    AcceptLimit limit() {
        return limit;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** {@code proxy} runs on these loops until {@link #proxyClosed}; false if the runtime closed meanwhile. */
    boolean proxyStarted(ProxyServer proxy) {
        proxies.add(proxy);
        return !closed.get();
    }

    void proxyClosed(ProxyServer proxy) {
        proxies.remove(proxy);
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public int eventLoops() {
        return eventLoops;
    }

    @Override
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public synchronized void maxConnections(int connections) {
        if (connections < 0) {
            throw InvalidSettingException.outOfRange("maxConnections", connections, 0, Integer.MAX_VALUE, "(0: no limit)");
        }
        maxConnections = connections;
        limit.max(connections);
    }

    @Override
    public int openConnections() {
        return limit.open();
    }

    @Override
    public UpstreamRuntime upstreamRuntime(ProxyListener listener, Duration connectTimeout) {
        return new LentRuntime(group, transport, Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(connectTimeout, "connectTimeout"));
    }

    @Override
    public void close() {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException("close() called on the runtime's own event loop "
                        + Thread.currentThread().getName() + " (expected: another thread; it waits for the loops)");
            }
        }
        if (closed.compareAndSet(false, true)) {
            // Proxies still open are closed first, without a drain: their connections are cut
            // and their upstreams stopped. Left to the loops' shutdown, a channel could outlive
            // them: a loop busy with a task when the shutdown begins stops without closing the
            // channels registered on it (Netty's SingleThreadIoEventLoop.run checks for the
            // shutdown, to close them, only after its I/O, not after its tasks).
            for (ProxyServer open : List.copyOf(proxies)) {
                open.closeWithoutDrain();
            }
            group.shutdownGracefully(0, SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    @Override
    public String toString() {
        return "ProxyRuntime{" + transport.name() + ", " + eventLoops + " loop(s)"
                + (maxConnections > 0 ? ", maxConnections " + maxConnections : "") + "}";
    }
}
