package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.edge.EdgeAdmission;
import dev.zeroproxy.edge.SourcePool;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configuration of a running proxy, as every connection accepted under it keeps it for its
 * whole life: the settings, and what is built from them once (the edge checks, the idle-check
 * wheels). {@code Proxy.reconfigure} makes a new generation for the connections accepted from
 * then on; the connections of an older one finish with theirs, and the older generation's
 * upstream, if the new one replaced it, is stopped when the last of them has closed.
 */
final class ProxyGeneration {
    private final ProxyServer server;
    private final ProxyConfig config;
    private final long number;
    /** Access rules and per-source limits, checked at accept. */
    private final EdgeAdmission admission;
    /** Null without a pool. */
    private final SourcePool sourcePool;
    /** One idle-check wheel per event loop its connections land on; filled from each loop's own thread. */
    private final Map<EventLoop, IdleWheel> idleWheels = new ConcurrentHashMap<>();
    /** Connections accepted under this generation and still open. */
    private final AtomicInteger open = new AtomicInteger();
    /** Set when a newer generation took over; then the last close stops {@link #upstreamToStop}. */
    private volatile boolean retired;
    /** The upstream to stop once retired and empty: null if the next generation kept it. */
    private volatile Upstream upstreamToStop;

    ProxyGeneration(ProxyServer server, ProxyConfig config, long number, EdgeAdmission admission) {
        this.server = server;
        this.config = config;
        this.number = number;
        this.admission = admission;
        this.sourcePool = config.sourcePool().orElse(null);
    }

    ProxyServer server() {
        return server;
    }

    ProxyConfig config() {
        return config;
    }

    long number() {
        return number;
    }

    EdgeAdmission admission() {
        return admission;
    }

    /**
     * The local address an upstream connection of {@code client} to {@code upstream} binds
     * before connecting: an address of the source pool with port 0, or {@code null} (no pool:
     * the kernel picks both at connect time).
     */
    InetSocketAddress sourceAddress(InetSocketAddress client, InetSocketAddress upstream) {
        SourcePool pool = sourcePool;
        return pool == null ? null : new InetSocketAddress(pool.pick(client, upstream), 0);
    }

    /** The loop's idle-check wheel; null when connections have no idle timeout. */
    IdleWheel idleWheel(EventLoop loop) {
        long timeoutNanos = config.idleTimeout().toNanos();
        if (timeoutNanos == 0) {
            return null;
        }
        return idleWheels.computeIfAbsent(loop, l -> new IdleWheel(l, timeoutNanos));
    }

    /** {@code client} was accepted under this generation: it counts until it closes. */
    void connectionAccepted(Channel client) {
        open.incrementAndGet();
        client.closeFuture().addListener(f -> {
            if (open.decrementAndGet() == 0 && retired) {
                finish();
            }
        });
    }

    /**
     * A newer generation took over: this one's upstream is stopped once its last connection has
     * closed, unless {@code keptUpstream} says the newer one uses it too.
     */
    void retire(boolean keptUpstream) {
        upstreamToStop = keptUpstream ? null : config.upstream();
        retired = true;
        if (open.get() == 0) {
            finish();
        }
    }

    /** At the proxy's close: the upstream still to stop, if any (and from now on none). */
    Upstream takeUpstreamToStop() {
        synchronized (this) {
            Upstream upstream = retired ? upstreamToStop : config.upstream();
            upstreamToStop = null;
            retired = true;
            return upstream;
        }
    }

    /** Retired and empty: stops the upstream the newer generation dropped, and is forgotten. */
    private void finish() {
        Upstream upstream;
        synchronized (this) {
            upstream = upstreamToStop;
            upstreamToStop = null;
        }
        if (upstream != null) {
            server.stopUpstream(upstream);
        }
        server.generationDone(this);
    }
}
