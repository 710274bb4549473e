package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.edge.EdgeAdmission;
import dev.zeroproxy.edge.SourcePool;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configuration of a running proxy, as every connection accepted under it keeps it for its
 * whole life: the settings, and what is built from them once (the edge checks, the idle-check
 * wheels). {@code Proxy.reconfigure} makes a new generation for the connections accepted from
 * then on; the connections of an older one finish with theirs, and when the last of them has
 * closed the older generation is done, and gives its use of its upstream back to the proxy
 * ({@link ProxyServer#generationDone}), which stops an upstream no generation uses any more.
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
    /** The same for half-closed connections, whose timeout is their own ({@code halfClosedTimeout}). */
    private final Map<EventLoop, IdleWheel> halfClosedWheels = new ConcurrentHashMap<>();
    /**
     * Connections accepted under this generation and still open; -1 once it is done (retired,
     * none open), after which it takes none: a connection accepted at the switch that read the
     * older generation goes to the newer one ({@link #tryHold}), never to one whose upstream
     * may be stopped already.
     */
    private final AtomicInteger open = new AtomicInteger();
    /** Set when a newer generation took over. */
    private volatile boolean retired;

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

    /**
     * The loop's wheel for half-closed connections, whose timeout is the half-closed one (at most
     * the idle timeout); null when there is none.
     */
    IdleWheel halfClosedWheel(EventLoop loop) {
        long timeoutNanos = halfClosedTimeoutNanos();
        if (timeoutNanos == 0) {
            return null;
        }
        return halfClosedWheels.computeIfAbsent(loop, l -> new IdleWheel(l, timeoutNanos));
    }

    /** How long a half-closed connection may stay silent: the half-closed timeout, at most the idle one; 0 for none. */
    long halfClosedTimeoutNanos() {
        long halfClosed = config.halfClosedTimeout().toNanos();
        long idle = config.idleTimeout().toNanos();
        return halfClosed == 0 || idle == 0 ? halfClosed : Math.min(halfClosed, idle);
    }

    /**
     * One more holder of this generation (an accepted client channel until it closes, or a relay
     * until its lease is released), so that it is done only once every holder has let go; false
     * if it is done already, and a client must take the current generation instead.
     */
    boolean tryHold() {
        while (true) {
            int now = open.get();
            if (now < 0) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A holder let go. */
    void release() {
        if (open.decrementAndGet() == 0 && retired) {
            finishIfEmpty();
        }
    }

    /** A newer generation took over: this one is done once its last connection has closed (now, if none is open). */
    void retire() {
        retired = true;
        finishIfEmpty();
    }

    /** Retired and empty: done, once (the last close and the retirement may both see it). */
    private void finishIfEmpty() {
        if (open.compareAndSet(0, -1)) {
            server.generationDone(this);
        }
    }
}
