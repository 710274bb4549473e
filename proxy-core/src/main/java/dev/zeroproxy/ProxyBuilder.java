package dev.zeroproxy;

import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.edge.SourceLimits;
import dev.zeroproxy.edge.SourcePool;
import dev.zeroproxy.internal.ProxyServer;
import dev.zeroproxy.internal.SharedRuntime;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Collects a proxy's settings, validates them and starts it.
 *
 * <pre>{@code
 * Proxy proxy = Proxy.builder()
 *         .listen(new InetSocketAddress("0.0.0.0", 6432))
 *         .upstream(new InetSocketAddress("10.0.0.7", 5432))
 *         .idleTimeout(Duration.ofMinutes(30))
 *         .start();
 * }</pre>
 *
 * <p>Setters only record values; {@link #build()} and {@link #start()} validate them all and
 * report the first bad one as {@code "field: value (expected: ...)"}. A builder is not
 * thread-safe, and starts at most one proxy: a second {@link #start()} is an
 * {@link IllegalStateException} (use {@link ProxyConfig#toBuilder()} for another).
 */
public final class ProxyBuilder {
    /** Default for {@link #connectTimeout(Duration)}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default for {@link #idleTimeout(Duration)}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    /** Default for {@link #drainTimeout(Duration)}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default for {@link #spliceThreshold(long)}: see docs/transports.md for the measurement behind it. */
    public static final long DEFAULT_SPLICE_THRESHOLD = 256 * 1024;
    /**
     * Default for {@link #splicePipeSize(int)}: 1 MiB, the most Linux gives a process without
     * CAP_SYS_RESOURCE by default ({@code /proc/sys/fs/pipe-max-size}); docs/benchmarks.md has
     * the measurement behind it.
     */
    public static final int DEFAULT_SPLICE_PIPE_SIZE = 1024 * 1024;
    /** Smallest {@link #splicePipeSize(int)}: one page, the kernel's own minimum. */
    public static final int MIN_SPLICE_PIPE_SIZE = 4096;
    /** Largest {@link #splicePipeSize(int)}. */
    public static final int MAX_SPLICE_PIPE_SIZE = 1 << 30;
    /** Default for {@link #eventLoops(int)}: the number of available processors. */
    public static final int DEFAULT_EVENT_LOOPS = Runtime.getRuntime().availableProcessors();
    /** Default low write-buffer water mark, in bytes. */
    public static final int DEFAULT_LOW_WATER_MARK = 32 * 1024;
    /** Default high write-buffer water mark, in bytes. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    private static final String SOURCE_POOL = "sourcePool";

    InetSocketAddress listen;
    Upstream upstream;
    Forwarding forwarding = Forwarding.BEST;
    Transport transport;
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    /** Null: {@link #DEFAULT_EVENT_LOOPS}, or the runtime's. */
    Integer eventLoops;
    /** Null: loops of the proxy's own. */
    ProxyRuntime runtime;
    Duration halfClosedTimeout = Duration.ZERO;
    int writeBufferLowWaterMark = DEFAULT_LOW_WATER_MARK;
    int writeBufferHighWaterMark = DEFAULT_HIGH_WATER_MARK;
    ProxyListener listener = ProxyListener.NOOP;
    long spliceThreshold = DEFAULT_SPLICE_THRESHOLD;
    int splicePipeSize = DEFAULT_SPLICE_PIPE_SIZE;
    /** Null: {@link #defaultDirectMemoryBudget()}. */
    Long directMemoryBudget;
    int maxConnections;
    ProxyProtocolAccept acceptProxyProtocol;
    ProxyProtocolSend sendProxyProtocol;
    AccessRules accessRules = AccessRules.NONE;
    SourceLimits sourceLimits = SourceLimits.NONE;
    /** Null: no pool, the kernel picks the source address. */
    SourcePool sourcePool;
    final Map<TcpOption<?>, Object> socketOptions = new LinkedHashMap<>();
    private boolean started;

    ProxyBuilder() { }

    /** The address to listen on; required. Port 0 binds any free port: read it back from {@link Proxy#localAddress()}. */
    public ProxyBuilder listen(InetSocketAddress address) {
        this.listen = Objects.requireNonNull(address, "listen");
        return this;
    }

    /** The single upstream every connection is relayed to; required (or {@link #upstream(Upstream)}). */
    public ProxyBuilder upstream(InetSocketAddress address) {
        return upstream(Upstream.of(Objects.requireNonNull(address, "upstream")));
    }

    /** Where connections are relayed; required (or {@link #upstream(InetSocketAddress)}). */
    public ProxyBuilder upstream(Upstream upstream) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        return this;
    }

    /**
     * How bytes move; default {@link Forwarding#BEST}: splice where the transport can
     * ({@link Forwarding#AUTO}), copy elsewhere.
     */
    public ProxyBuilder forwarding(Forwarding forwarding) {
        this.forwarding = Objects.requireNonNull(forwarding, "forwarding");
        return this;
    }

    /**
     * The I/O transport; default {@link Transport#best(Forwarding)} for the chosen forwarding
     * mode. An unavailable transport, or one that cannot do the forwarding mode, fails
     * {@link #start()} with the reason.
     */
    public ProxyBuilder transport(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
    }

    /** How long an upstream connect may take; default 5 s; must be positive. */
    public ProxyBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
        return this;
    }

    /** How long a connection may be silent both ways before it is closed; default 1 h; {@link Duration#ZERO} disables it. */
    public ProxyBuilder idleTimeout(Duration timeout) {
        this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
        return this;
    }

    /** How long {@link Proxy#close()} waits for open connections to finish; default 30 s; zero closes them at once. */
    public ProxyBuilder drainTimeout(Duration timeout) {
        this.drainTimeout = Objects.requireNonNull(timeout, "drainTimeout");
        return this;
    }

    /** Event loop threads; default the number of available processors; each connection stays on one loop. */
    public ProxyBuilder eventLoops(int eventLoops) {
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * Runs the proxy on a runtime's event loops, shared with its other proxies, and counts its
     * connections under the runtime's limit too; default none: the proxy starts loops of its own
     * and stops them when it closes. The transport and loop count are then the runtime's: setting
     * others here is an error.
     */
    public ProxyBuilder runtime(ProxyRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        if (!(runtime instanceof SharedRuntime)) {
            throw new InvalidSettingException("runtime", runtime, "a runtime of ProxyRuntime.builder().start()");
        }
        this.runtime = runtime;
        return this;
    }

    /**
     * How long a connection may stay silent once one side has ended its direction (sent its FIN)
     * while the other has not: HAProxy's {@code timeout client-fin}/{@code server-fin}, which keep
     * sockets whose peer has gone away without a reset from lingering for the whole idle timeout.
     * Default {@link Duration#ZERO}: the {@linkplain #idleTimeout idle timeout} applies as before.
     * A value above the idle timeout is the idle timeout.
     */
    public ProxyBuilder halfClosedTimeout(Duration timeout) {
        this.halfClosedTimeout = Objects.requireNonNull(timeout, "halfClosedTimeout");
        return this;
    }

    /**
     * Per-direction backpressure: reading a source pauses while more than {@code high} bytes wait
     * to be written to its sink, and resumes below {@code low}. Defaults 32 KiB / 64 KiB.
     */
    public ProxyBuilder writeBufferWaterMark(int low, int high) {
        this.writeBufferLowWaterMark = low;
        this.writeBufferHighWaterMark = high;
        return this;
    }

    /**
     * With {@link Forwarding#AUTO}: a direction switches from copying to splicing once it has
     * copied this many bytes <em>and</em> a read of it takes at least 16 KiB (the sender has that
     * much queued: a bulk transfer); default 256 KiB; 0 splices from the first byte, whatever
     * the reads. A direction whose reads stay small (request/response, pipelined small requests)
     * keeps copying however many bytes it carries: spliced, each such read would cost a splice
     * pass of three system calls instead of a read and a write (see docs/benchmarks.md, "Small
     * messages side by side"). While the {@link #directMemoryBudget(long) memory budget} is used up
     * reads are capped at 2 KiB, and a read that takes all of that counts as large: spliced bytes
     * do not count against the budget.
     */
    public ProxyBuilder spliceThreshold(long bytes) {
        this.spliceThreshold = bytes;
        return this;
    }

    /**
     * With {@link Forwarding#SPLICE} or {@link Forwarding#AUTO}: the capacity asked for each
     * direction's splice pipe, in bytes; default 1 MiB. It bounds what one splice pass moves, so
     * a larger pipe means fewer system calls and event-loop turns per MiB; it also bounds the
     * kernel memory a spliced direction can hold. The kernel rounds it up to a power of two.
     * Where the kernel refuses the size (above {@code /proc/sys/fs/pipe-max-size} without
     * CAP_SYS_RESOURCE), the pipe keeps the kernel's default (64 KiB) and the proxy logs one
     * warning. Linux also limits a user's pipes in all ({@code /proc/sys/fs/pipe-user-pages-soft},
     * 64 MiB by default, past which every new pipe of that user shrinks to 8 KiB): unless the
     * process is exempt, enlarged pipes are kept within half of it, and splices past that use
     * 64 KiB pipes until some close.
     */
    public ProxyBuilder splicePipeSize(int bytes) {
        this.splicePipeSize = bytes;
        return this;
    }

    /**
     * The proxy-wide budget of direct memory for payload waiting on slow sinks: bytes read from
     * one side and not yet taken by the other side's kernel, summed over every connection.
     * While the total is at or over it, reads shrink to 2 KiB, and each direction whose sink
     * still holds bytes after a read stops reading until its sink has taken all of them;
     * directions whose sinks keep up go on. Nothing is dropped and no connection fails: it is
     * backpressure, like the {@linkplain #writeBufferWaterMark water marks} but across the proxy.
     * A soft limit: it can be passed by the read burst each event loop is in when it runs out (a
     * burst stops at the high water mark and one read), and by one 2 KiB read per direction.
     * Bytes moved by splice wait in kernel pipes and do not count.
     *
     * <p>Default: half of the JVM's direct-memory limit ({@code -XX:MaxDirectMemorySize}, or
     * Netty's {@code io.netty.maxDirectMemory}, which the pooled allocator obeys), leaving the
     * other half to the allocator's chunk and cache overhead. Must be at least the high water
     * mark and at most that limit. See docs/reliability.md for how HAProxy and nginx bound the
     * same memory.
     */
    public ProxyBuilder directMemoryBudget(long bytes) {
        this.directMemoryBudget = bytes;
        return this;
    }

    /**
     * The most connections the proxy holds at once; 0 (the default) for no limit but the
     * descriptors'. At the limit it stops accepting, and new clients wait in the kernel's
     * listen backlog (as with HAProxy's {@code maxconn}) until a connection closes; none is
     * refused for it. A listener may accept the rest of the batch of connections it was
     * accepting when the limit was reached (a few at most): the limit can be passed by those.
     */
    public ProxyBuilder maxConnections(int connections) {
        this.maxConnections = connections;
        return this;
    }

    /**
     * Allow and deny rules on the client's address (the socket peer), checked at accept before
     * anything else, first match wins; default none (everyone allowed). A refused client is
     * reset and reported ({@link ProxyListener#connectionRefused}). See {@link AccessRules}.
     */
    public ProxyBuilder accessRules(AccessRules rules) {
        this.accessRules = Objects.requireNonNull(rules, "accessRules");
        return this;
    }

    /**
     * Limits per client address (the socket peer): connections at once and new connections per
     * second, checked at accept; default none. See {@link SourceLimits}.
     */
    public ProxyBuilder sourceLimits(SourceLimits limits) {
        this.sourceLimits = Objects.requireNonNull(limits, "sourceLimits");
        return this;
    }

    /**
     * Requires a PROXY protocol header (v1 or v2) from every connection, and accepts connections
     * only from the trusted proxies {@code accept} names; default off (no header is read, a client
     * that sends one has it relayed as data). See {@link ProxyProtocolAccept}.
     */
    public ProxyBuilder acceptProxyProtocol(ProxyProtocolAccept accept) {
        this.acceptProxyProtocol = Objects.requireNonNull(accept, "acceptProxyProtocol");
        return this;
    }

    /**
     * Sends a PROXY protocol header to every upstream, ahead of the client's bytes; default off.
     * A group's server may override it ({@code ServerSpec.sendProxyProtocol}).
     */
    public ProxyBuilder sendProxyProtocol(ProxyProtocolSend send) {
        this.sendProxyProtocol = Objects.requireNonNull(send, "sendProxyProtocol");
        return this;
    }

    /**
     * The local addresses upstream connections leave from, one picked per connect (see
     * {@link SourcePool}); default none: the kernel picks the source address by its routes, and
     * the port at connect time. Each source address holds at most the kernel's ephemeral port
     * range of connections to one server address, so a pool of N addresses holds N times that.
     * On epoll and io_uring the proxy also sets {@code IP_BIND_ADDRESS_NO_PORT} on the upstream
     * sockets, so that each address's ports are counted per server; NIO cannot, and there one
     * address's ports are shared by all servers (see {@link Transport#bindAddressNoPort()}).
     * {@code null} removes the pool.
     */
    public ProxyBuilder sourcePool(SourcePool pool) {
        this.sourcePool = pool;
        return this;
    }

    /** The default of {@link #directMemoryBudget(long)}: half of the JVM's direct-memory limit. */
    public static long defaultDirectMemoryBudget() {
        return PlatformDependent.maxDirectMemory() / 2;
    }

    /**
     * Sets a TCP socket option (see {@link TcpOption} for each one's scope, default and caveat).
     * Setting an option again replaces its value.
     */
    public <T> ProxyBuilder socketOption(TcpOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        socketOptions.put(option, Objects.requireNonNull(value, option.name()));
        return this;
    }

    /** Hears connection events; default none. */
    public ProxyBuilder listener(ProxyListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Validates the settings.
     *
     * @throws IllegalStateException if a required setting is missing
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public ProxyConfig build() {
        require(listen != null, "listen: not set (expected: an address to bind; port 0 for any free port)");
        require(upstream != null, "upstream: not set (expected: the address to relay to)");
        positive("connectTimeout", connectTimeout);
        // The connect timeout is scheduled in milliseconds: less than one would fire at once.
        check(connectTimeout.toMillis() >= 1, "connectTimeout", connectTimeout, ">= 1 ms");
        check(connectTimeout.toMillis() <= Integer.MAX_VALUE, "connectTimeout", connectTimeout,
                "<= " + Integer.MAX_VALUE + " ms");
        notNegative("idleTimeout", idleTimeout);
        notNegative("drainTimeout", drainTimeout);
        notNegative("halfClosedTimeout", halfClosedTimeout);
        if (eventLoops != null) {
            inRange("eventLoops", eventLoops, 1, 4096, "");
        }
        if (runtime != null) {
            check(eventLoops == null || eventLoops == runtime.eventLoops(), "eventLoops", eventLoops,
                    "the runtime's, " + runtime.eventLoops() + " (a proxy on a runtime runs on its loops)");
            check(transport == null || transport.name().equals(runtime.transport().name()), "transport",
                    transport == null ? null : transport.name(), "the runtime's, " + runtime.transport().name());
        }
        check(writeBufferLowWaterMark > 0, "writeBufferWaterMark.low", (long) writeBufferLowWaterMark, "> 0");
        check(writeBufferHighWaterMark >= writeBufferLowWaterMark, "writeBufferWaterMark.high",
                (long) writeBufferHighWaterMark, ">= low, " + writeBufferLowWaterMark);
        check(spliceThreshold >= 0, "spliceThreshold", spliceThreshold, ">= 0");
        inRange("maxConnections", maxConnections, 0, Integer.MAX_VALUE, "(0: no limit)");
        inRange("splicePipeSize", splicePipeSize, MIN_SPLICE_PIPE_SIZE, MAX_SPLICE_PIPE_SIZE, "bytes");
        long budget = directMemoryBudget != null ? directMemoryBudget : defaultDirectMemoryBudget();
        // From the high water mark (one direction's worth) to the JVM's limit, past which Netty's allocator fails.
        inRange("directMemoryBudget", budget, writeBufferHighWaterMark, PlatformDependent.maxDirectMemory(), "bytes");
        Transport chosen = runtime != null ? runtime.transport() : transport != null ? transport
                : Transport.best(forwarding);
        if (!chosen.isAvailable()) {
            Throwable cause = chosen.unavailabilityCause();
            throw InvalidSettingException.notHere("transport", chosen.name(), chosen.name()
                    + " is not available here", "an available transport; " + chosen.name() + ": "
                    + (cause == null ? "no cause given" : cause.getMessage()), cause);
        }
        Forwarding resolved = forwarding != Forwarding.BEST ? forwarding
                : chosen.supports(Forwarding.AUTO) ? Forwarding.AUTO : Forwarding.COPY;
        if (!chosen.supports(resolved)) {
            throw InvalidSettingException.notHere("forwarding", forwarding, forwarding
                    + " is not supported by transport " + chosen.name(), supportersOf(forwarding), null);
        }
        for (Map.Entry<TcpOption<?>, Object> option : socketOptions.entrySet()) {
            option.getKey().validate(option.getValue());
            if (chosen.channelOption(option.getKey(), option.getValue()) == null) {
                throw InvalidSettingException.notHere("socketOption " + option.getKey(), option.getValue(),
                        "not supported by transport " + chosen.name(), supportersOf(option.getKey()), null);
            }
        }
        if (sourcePool != null) {
            for (InetAddress source : sourcePool.addresses()) {
                checkBindable(source);
            }
        }
        return new ProxyConfig(this, chosen, resolved, budget);
    }

    /**
     * Validates the settings, binds the listening address and starts accepting.
     *
     * @throws ProxyBindException if the address cannot be bound
     * @throws IllegalStateException if this builder already started a proxy, or a required
     *     setting is missing
     * @throws IllegalArgumentException naming the first invalid setting and its value
     */
    public Proxy start() {
        if (started) {
            throw new IllegalStateException("start(): this builder already started a proxy "
                    + "(expected: one start() per builder; use config().toBuilder() for another)");
        }
        Proxy proxy = ProxyServer.start(build());
        started = true;
        return proxy;
    }

    /**
     * Fails fast on a source address the machine does not have: otherwise every upstream connect
     * would fail with "Cannot assign requested address". A trial bind to port 0, released at once.
     */
    private static void checkBindable(InetAddress source) {
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(source, 0));
        } catch (IOException e) {
            throw InvalidSettingException.notHere(SOURCE_POOL, source.getHostAddress(),
                    source.getHostAddress() + " cannot be bound here (" + e.getMessage() + ")",
                    "an address of this machine", e);
        }
    }

    private static String supportersOf(TcpOption<?> option) {
        StringBuilder names = new StringBuilder();
        for (Transport t : Transport.all()) {
            if (t.channelOption(option, sample(option)) != null) {
                names.append(names.length() == 0 ? "transport " : " or ").append(t.name());
            }
        }
        return names.length() == 0 ? "a transport that supports it; add proxy-epoll to the classpath" : names.toString();
    }

    /** A valid value of the option's type, to ask a transport whether it maps the option at all. */
    private static Object sample(TcpOption<?> option) {
        Class<?> type = option.type();
        return type == Boolean.class ? Boolean.TRUE : type == Integer.class ? (Object) 1 : Duration.ofSeconds(1);
    }

    private static String supportersOf(Forwarding mode) {
        StringBuilder names = new StringBuilder();
        for (Transport t : Transport.all()) {
            if (t.supports(mode)) {
                names.append(names.length() == 0 ? "" : " or ").append(t.name());
                if (!t.isAvailable()) {
                    names.append(" (unavailable here)");
                }
            }
        }
        return names.length() == 0
                ? "a transport that supports " + mode + "; add proxy-epoll to the classpath for SPLICE/AUTO"
                : "transport " + names;
    }

    private static void positive(String setting, Duration value) {
        check(!value.isNegative() && !value.isZero(), setting, value, "> 0");
    }

    private static void notNegative(String setting, Duration value) {
        check(!value.isNegative(), setting, value, ">= 0");
    }

    private static void check(boolean ok, String setting, Object value, String expected) {
        if (!ok) {
            throw new InvalidSettingException(setting, value, expected);
        }
    }

    private static void inRange(String setting, long value, long min, long max, String unit) {
        if (value < min || value > max) {
            throw InvalidSettingException.outOfRange(setting, value, min, max, unit);
        }
    }

    private static void require(boolean present, String message) {
        if (!present) {
            throw new IllegalStateException(message);
        }
    }
}
