package dev.zeroproxy;

import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.edge.SourceLimits;
import dev.zeroproxy.edge.SourcePool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The immutable, validated settings of one proxy, made by {@link ProxyBuilder#build()}.
 *
 * <p>Every default is stated on the matching {@link ProxyBuilder} method. Derive a variant with
 * {@link #toBuilder()}. Instances are immutable and thread-safe.
 */
public final class ProxyConfig {
    private final InetSocketAddress listen;
    private final Upstream upstream;
    private final Forwarding forwarding;
    private final Forwarding requestedForwarding;
    private final Transport transport;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration drainTimeout;
    private final int eventLoops;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final ProxyListener listener;
    private final long spliceThreshold;
    private final int splicePipeSize;
    private final long directMemoryBudget;
    private final int maxConnections;
    private final ProxyProtocolAccept acceptProxyProtocol;
    private final ProxyProtocolSend sendProxyProtocol;
    private final SourcePool sourcePool;
    private final AccessRules accessRules;
    private final SourceLimits sourceLimits;
    private final Map<TcpOption<?>, Object> socketOptions;
    private final ProxyRuntime runtime;
    private final Duration halfClosedTimeout;

    ProxyConfig(ProxyBuilder b, Transport transport, Forwarding forwarding, long directMemoryBudget) {
        this.listen = b.listen;
        this.upstream = b.upstream;
        this.forwarding = forwarding;
        this.requestedForwarding = b.forwarding;
        this.transport = transport;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.drainTimeout = b.drainTimeout;
        this.eventLoops = b.runtime != null ? b.runtime.eventLoops() : b.eventLoops != null ? b.eventLoops
                : ProxyBuilder.DEFAULT_EVENT_LOOPS;
        this.runtime = b.runtime;
        this.halfClosedTimeout = b.halfClosedTimeout;
        this.writeBufferLowWaterMark = b.writeBufferLowWaterMark;
        this.writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        this.listener = b.listener;
        this.spliceThreshold = b.spliceThreshold;
        this.splicePipeSize = b.splicePipeSize;
        this.directMemoryBudget = directMemoryBudget;
        this.maxConnections = b.maxConnections;
        this.acceptProxyProtocol = b.acceptProxyProtocol;
        this.sendProxyProtocol = b.sendProxyProtocol;
        this.sourcePool = b.sourcePool;
        this.accessRules = b.accessRules;
        this.sourceLimits = b.sourceLimits;
        this.socketOptions = Collections.unmodifiableMap(new LinkedHashMap<>(b.socketOptions));
    }

    /** The address to bind; port 0 means any free port. */
    public InetSocketAddress listen() {
        return listen;
    }

    /** Where each accepted connection is relayed. */
    public Upstream upstream() {
        return upstream;
    }

    /** How bytes are moved: never {@link Forwarding#BEST}, which is resolved for the transport at build time. */
    public Forwarding forwarding() {
        return forwarding;
    }

    /** The forwarding mode asked for: {@link #forwarding()}, or {@link Forwarding#BEST} that became it. */
    public Forwarding requestedForwarding() {
        return requestedForwarding;
    }

    /** The runtime whose loops the proxy runs on, if it was given one ({@link ProxyBuilder#runtime}). */
    public Optional<ProxyRuntime> runtime() {
        return Optional.ofNullable(runtime);
    }

    /** How long a half-closed connection may stay silent; zero: as long as {@link #idleTimeout()}. */
    public Duration halfClosedTimeout() {
        return halfClosedTimeout;
    }

    /** The I/O transport. */
    public Transport transport() {
        return transport;
    }

    /** How long an upstream connect may take before the client is closed. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long a connection may carry no byte either way before both sides are closed; zero: never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long {@link Proxy#close()} lets open connections finish before closing them. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** The number of event loop threads. */
    public int eventLoops() {
        return eventLoops;
    }

    /** Once a direction's unsent bytes fall to this, reading its source resumes. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** Once a direction's unsent bytes exceed this, reading its source pauses. */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /** Hears connection events. */
    public ProxyListener listener() {
        return listener;
    }

    /**
     * With {@link Forwarding#AUTO}, the bytes a direction copies before it may switch to splice,
     * which it does at its first large read after them ({@link ProxyBuilder#spliceThreshold(long)}).
     */
    public long spliceThreshold() {
        return spliceThreshold;
    }

    /** With {@link Forwarding#SPLICE} or {@link Forwarding#AUTO}, the capacity asked for each direction's pipe. */
    public int splicePipeSize() {
        return splicePipeSize;
    }

    /** The proxy-wide limit on payload bytes queued for slow sinks; see {@link ProxyBuilder#directMemoryBudget(long)}. */
    public long directMemoryBudget() {
        return directMemoryBudget;
    }

    /** The most connections held at once, 0 for no limit; see {@link ProxyBuilder#maxConnections(int)}. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The PROXY protocol required from clients, if any; see {@link ProxyBuilder#acceptProxyProtocol}. */
    public Optional<ProxyProtocolAccept> acceptProxyProtocol() {
        return Optional.ofNullable(acceptProxyProtocol);
    }

    /** The PROXY protocol header sent to upstreams, if any; see {@link ProxyBuilder#sendProxyProtocol}. */
    public Optional<ProxyProtocolSend> sendProxyProtocol() {
        return Optional.ofNullable(sendProxyProtocol);
    }

    /** The local addresses upstream connections leave from, if a pool is set; see {@link ProxyBuilder#sourcePool(SourcePool)}. */
    public Optional<SourcePool> sourcePool() {
        return Optional.ofNullable(sourcePool);
    }

    /** The access rules checked at accept; {@link AccessRules#NONE} when none were set. */
    public AccessRules accessRules() {
        return accessRules;
    }

    /** The per-source limits checked at accept; {@link SourceLimits#NONE} when none were set. */
    public SourceLimits sourceLimits() {
        return sourceLimits;
    }

    /** The TCP socket options set explicitly, in the order they were set. */
    public Map<TcpOption<?>, Object> socketOptions() {
        return socketOptions;
    }

    /** The value set for {@code option}, if any. */
    public <T> Optional<T> socketOption(TcpOption<T> option) {
        return Optional.ofNullable(option.type().cast(socketOptions.get(option)));
    }

    /** A builder holding these settings, to derive a variant. */
    public ProxyBuilder toBuilder() {
        ProxyBuilder builder = new ProxyBuilder()
                .listen(listen)
                .upstream(upstream)
                .forwarding(requestedForwarding)
                .transport(transport)
                .connectTimeout(connectTimeout)
                .idleTimeout(idleTimeout)
                .drainTimeout(drainTimeout)
                .eventLoops(eventLoops)
                .halfClosedTimeout(halfClosedTimeout)
                .writeBufferWaterMark(writeBufferLowWaterMark, writeBufferHighWaterMark)
                .spliceThreshold(spliceThreshold)
                .splicePipeSize(splicePipeSize)
                .directMemoryBudget(directMemoryBudget)
                .maxConnections(maxConnections)
                .sourcePool(sourcePool)
                .accessRules(accessRules)
                .sourceLimits(sourceLimits)
                .listener(listener);
        builder.acceptProxyProtocol = acceptProxyProtocol;
        builder.sendProxyProtocol = sendProxyProtocol;
        builder.socketOptions.putAll(socketOptions);
        builder.runtime = runtime;
        return builder;
    }

    @Override
    public String toString() {
        return "ProxyConfig{listen=" + listen + ", upstream=" + upstream + ", forwarding=" + forwarding
                + (requestedForwarding != forwarding ? " (" + requestedForwarding + " on " + transport.name() + ")" : "")
                + ", transport=" + transport + ", connectTimeout=" + connectTimeout + ", idleTimeout="
                + idleTimeout + ", drainTimeout=" + drainTimeout + ", eventLoops=" + eventLoops
                + ", spliceThreshold=" + spliceThreshold + ", splicePipeSize=" + splicePipeSize
                + ", directMemoryBudget=" + directMemoryBudget + ", maxConnections=" + maxConnections
                + (acceptProxyProtocol != null ? ", " + acceptProxyProtocol : "")
                + (sendProxyProtocol != null ? ", " + sendProxyProtocol : "")
                + (sourcePool != null ? ", sourcePool=" + sourcePool : "")
                + (accessRules.isEmpty() ? "" : ", accessRules=" + accessRules)
                + (sourceLimits == SourceLimits.NONE ? "" : ", sourceLimits=" + sourceLimits)
                + ", socketOptions=" + socketOptions + ", writeBufferWaterMark=" + writeBufferLowWaterMark + "/"
                + writeBufferHighWaterMark + "}";
    }
}
