package dev.zeroproxy.internal;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.edge.EdgeAdmission;
import dev.zeroproxy.edge.SourcePool;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: the listening channel, the event loops, and the set of open relays that
 * {@link #close()} drains.
 */
public final class ProxyServer implements Proxy {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyServer.class);
    /** How long {@link #close()} waits for force-closed connections and for the loops to stop. */
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final ProxyConfig config;
    private final EventLoopGroup group;
    private final PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final ProxyCounters counters = new ProxyCounters();
    private final MemoryBudget memoryBudget;
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Channel> serverChannels = new ArrayList<>();
    /** Options of every relayed channel, client and upstream alike; built once. */
    private final Map<ChannelOption<?>, Object> connectionOptions;
    /** Template for the upstream connects, cloned onto each client's event loop. */
    private final Bootstrap upstreamBootstrap;
    private final NamedAddresses connectAddresses = new NamedAddresses();
    private final AcceptLimit acceptLimit;
    /** Access rules and per-source limits, checked at accept. */
    private final EdgeAdmission admission;
    private InetSocketAddress localAddress;
    /** Null without a pool. */
    private final SourcePool sourcePool;

    private ProxyServer(ProxyConfig config) {
        this.config = config;
        this.sourcePool = config.sourcePool().orElse(null);
        this.memoryBudget = new MemoryBudget(config.directMemoryBudget());
        this.acceptLimit = new AcceptLimit(config.maxConnections());
        this.admission = EdgeAdmission.create(config.accessRules(), config.sourceLimits());
        this.group = config.transport().newEventLoopGroup(config.eventLoops(),
                new DefaultThreadFactory("zeroproxy-" + config.transport().name()));
        this.connectionOptions = Map.copyOf(buildConnectionOptions());
        ChannelFactory<Channel> upstreamChannels = preparedChannels(config.transport(), readFromRegistration(config));
        this.upstreamBootstrap = new Bootstrap()
                .group(group)
                .channelFactory(upstreamChannels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis());
        connectionOptions.forEach((option, value) -> option(upstreamBootstrap, option, value));
        Transport.NettyOption noPort = config.transport().bindAddressNoPort();
        if (config.sourcePool().isPresent() && noPort != null) {
            // The source address is bound before the connect: leave its port to the connect (see SourcePool).
            option(upstreamBootstrap, noPort.option(), noPort.value());
        }
    }

    /** The transport's upstream channels, each prepared before Netty registers it. */
    private static ChannelFactory<Channel> preparedChannels(Transport transport, boolean readFromRegistration) {
        ChannelFactory<? extends Channel> channels = transport.socketChannelFactory();
        return () -> {
            Channel channel = channels.newChannel();
            AcceptedChannelPreparer.prepareOrClose(transport, channel, readFromRegistration);
            return channel;
        };
    }

    /**
     * Whether relayed channels may be registered with reading allowed, which saves the interest
     * change {@link Pump#start} would cost per channel (epoll: an {@code EPOLL_CTL_MOD} each).
     * Only when both pumps start by copying: what a source reads before the start is then held
     * ({@link HeldReads}) and forwarded first, exactly once and in order. With {@code AUTO_READ}
     * off until the start, that is one read into one buffer (2 KiB for a new channel), or two
     * when the first drained the socket ({@link Pump#channelRead} asks for the second, 4 KiB in
     * all), per channel at most; plus what comes with an early FIN, which is held whatever this
     * says (bounded by the socket's receive buffer). A pump that splices from the start must have its splice queued before the
     * first read, so SPLICE (and AUTO with a 0 threshold) keeps reads off until then.
     */
    private static boolean readFromRegistration(ProxyConfig config) {
        return config.forwarding() == Forwarding.COPY
                || (config.forwarding() == Forwarding.AUTO && config.spliceThreshold() > 0);
    }

    /** Binds and starts accepting; on failure nothing is left running. */
    public static Proxy start(ProxyConfig config) {
        ProxyServer server = new ProxyServer(config);
        // The upstream starts first (a group's checks), so that it is ready for the first connection.
        try {
            config.upstream().start(server.upstreamRuntime());
        } catch (RuntimeException e) {
            server.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw e;
        }
        try {
            server.bind();
        } catch (RuntimeException e) {
            config.upstream().stop();
            server.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw e;
        }
        if (config.requestedForwarding() == Forwarding.BEST && config.forwarding() == Forwarding.COPY) {
            LOGGER.info("Proxy on {}: forwarding BEST copies here: transport {} cannot splice (splicing needs"
                    + " proxy-epoll on the classpath, on Linux)", server.localAddress, config.transport().name());
        }
        return server;
    }

    private void bind() {
        // SO_REUSEPORT: one listening socket per event loop, each accepting onto its own loop,
        // so the kernel spreads accepts over the cores and no loop hands connections to another
        // (a hand-off costs an eventfd write and a second thread woken per connection; see
        // docs/benchmarks.md for what that came to).
        boolean reusePort = reusePort();
        if (reusePort && config.socketOption(TcpOption.SO_REUSEPORT).isEmpty()) {
            // SO_REUSEPORT by our own choice, not the user's: the port must stay as exclusive as
            // without it, so another process already serving it is an error, as a plain bind is.
            ExclusiveAddress.requireNoListener(config.listen());
        }
        int listeners = reusePort ? config.eventLoops() : 1;
        Iterator<EventExecutor> loops = group.iterator();
        InetSocketAddress address = config.listen();
        AcceptedChannelPreparer preparer = new AcceptedChannelPreparer(config.transport(), readFromRegistration(config));
        AcceptBackoff backoff = new AcceptBackoff(acceptLimit);
        for (int i = 0; i < listeners; i++) {
            EventLoopGroup acceptor = reusePort ? (EventLoop) loops.next() : group;
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptor, acceptor)
                    .channelFactory(config.transport().serverChannelFactory())
                    .handler(listenerHandlers(preparer, backoff))
                    .childHandler(new RelayInitializer(this));
            listenerOptions().forEach((option, value) -> option(bootstrap, option, value));
            connectionOptions.forEach((option, value) -> childOption(bootstrap, option, value));
            try {
                Channel listener = bootstrap.bind(address).syncUninterruptibly().channel();
                serverChannels.add(listener);
                acceptLimit.addListener(listener);
            } catch (Exception e) {
                // syncUninterruptibly rethrows the bind's cause (BindException and friends) unchecked.
                serverChannels.forEach(Channel::close);
                throw new ProxyBindException(config.listen(), e);
            }
            // With port 0, the first listener picked the port; the others join it.
            address = (InetSocketAddress) serverChannels.get(0).localAddress();
        }
        localAddress = address;
        LOGGER.debug("Proxy listening on {} -> {} (transport {}, forwarding {}{})", localAddress,
                config.upstream(), config.transport().name(), config.forwarding(),
                listeners > 1 ? ", " + listeners + " SO_REUSEPORT listeners" : "");
    }

    /**
     * What a listening channel runs before Netty's acceptor: prepare each accepted channel, back
     * off after a failed accept. The two handlers are shared by all listeners (the back-off's
     * log limit is proxy-wide); the initializer is not sharable, so each listener gets its own.
     */
    private static ChannelHandler listenerHandlers(AcceptedChannelPreparer preparer, AcceptBackoff backoff) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel listener) {
                listener.pipeline().addLast(preparer, backoff);
            }
        };
    }

    /**
     * Whether to bind one SO_REUSEPORT listener per event loop: as set, or by default wherever
     * the transport can and there is more than one loop (see {@link TcpOption#SO_REUSEPORT});
     * with one loop it would bring the caveat without the gain.
     */
    private boolean reusePort() {
        return config.socketOption(TcpOption.SO_REUSEPORT).orElse(config.eventLoops() > 1
                && config.transport().channelOption(TcpOption.SO_REUSEPORT, true) != null);
    }

    /** Options of the listening socket(s): SO_REUSEPORT as decided, then the user's LISTENER-scope ones. */
    private Map<ChannelOption<?>, Object> listenerOptions() {
        Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
        options.put(ChannelOption.SO_REUSEADDR, true);
        if (reusePort()) {
            Transport.NettyOption reusePort = config.transport().channelOption(TcpOption.SO_REUSEPORT, true);
            options.put(reusePort.option(), reusePort.value());
        }
        addUserOptions(options, TcpOption.Scope.LISTENER);
        return options;
    }

    /**
     * Options every relayed channel gets, client and upstream alike: the relay manages reads
     * and half-close itself, wants no Nagle delay (unless told otherwise), and takes its
     * buffers from the pool; then the user's CONNECTION-scope options.
     */
    private Map<ChannelOption<?>, Object> buildConnectionOptions() {
        Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
        options.put(ChannelOption.ALLOW_HALF_CLOSURE, true);
        options.put(ChannelOption.AUTO_READ, false);
        if (!PlatformDependent.canEnableTcpNoDelayByDefault()) {
            // Netty's socket channels turn Nagle off themselves where they can; setting it again
            // would cost two setsockopt calls per connection.
            options.put(ChannelOption.TCP_NODELAY, true);
        }
        options.put(ChannelOption.ALLOCATOR, allocator);
        options.put(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()));
        addUserOptions(options, TcpOption.Scope.CONNECTION);
        return options;
    }

    private void addUserOptions(Map<ChannelOption<?>, Object> options, TcpOption.Scope scope) {
        config.socketOptions().forEach((option, value) -> {
            if (option.scope() == scope) {
                // build() checked that the transport maps every option it was given.
                Transport.NettyOption netty = config.transport().channelOption(option, value);
                options.put(netty.option(), netty.value());
            }
        });
    }

    private UpstreamRuntime upstreamRuntime() {
        return new LentRuntime(group, config.transport(), config.listener(), config.connectTimeout());
    }

    /** The address to connect to for {@code server}: equal to it (see {@link NamedAddresses}). */
    InetSocketAddress connectAddress(InetSocketAddress server) {
        return connectAddresses.of(server);
    }

    /**
     * The local address an upstream connection of {@code client} to {@code upstream} binds
     * before connecting: an address of the {@linkplain ProxyConfig#sourcePool() source pool}
     * with port 0, or {@code null} (no pool: the kernel picks both at connect time).
     */
    InetSocketAddress sourceAddress(InetSocketAddress client, InetSocketAddress upstream) {
        SourcePool pool = sourcePool;
        return pool == null ? null : new InetSocketAddress(pool.pick(client, upstream), 0);
    }

    /** The upstream connect template; {@code clone(loop)} it per connection. */
    Bootstrap upstreamBootstrap() {
        return upstreamBootstrap;
    }

    @SuppressWarnings("unchecked")
    private static void childOption(ServerBootstrap b, ChannelOption<?> option, Object value) {
        b.childOption((ChannelOption<Object>) option, value);
    }

    @SuppressWarnings("unchecked")
    private static void option(AbstractBootstrap<?, ?> b, ChannelOption<?> option, Object value) {
        b.option((ChannelOption<Object>) option, value);
    }

    EdgeAdmission admission() {
        return admission;
    }

    ProxyCounters counters() {
        return counters;
    }

    MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    long nextConnectionId() {
        return connectionIds.incrementAndGet();
    }

    /**
     * A client channel was accepted: it holds a descriptor and a place under the connection limit
     * from now until it closes, whatever comes first (a refusal, the PROXY header phase, a relay).
     */
    void connectionAccepted(Channel client) {
        channelOpened(client);
        acceptLimit.connectionOpened();
        client.closeFuture().addListener(f -> acceptLimit.connectionClosed());
    }

    void relayOpened(Relay relay) {
        counters.accepted.increment();
        counters.active.increment();
        relays.add(relay);
    }

    void relayClosed(Relay relay) {
        counters.active.decrement();
        relays.remove(relay);
        if (relays.isEmpty()) {
            synchronized (relays) {
                relays.notifyAll();
            }
        }
    }

    void channelOpened(Channel channel) {
        counters.openChannels.increment();
        channel.closeFuture().addListener(f -> counters.openChannels.decrement());
    }

    /** The listening channels (more than one with SO_REUSEPORT). For tests and diagnostics. */
    public List<Channel> serverChannels() {
        return List.copyOf(serverChannels);
    }

    /** The client and upstream channels of every open connection. For tests and diagnostics. */
    public List<Channel> connectionChannels() {
        List<Channel> channels = new ArrayList<>();
        relays.forEach(relay -> channels.addAll(relay.channels()));
        return channels;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public ProxyConfig config() {
        return config;
    }

    @Override
    public ProxyStats stats() {
        return counters.snapshot(allocator, memoryBudget);
    }

    @Override
    public boolean isAccepting() {
        return !closed.get();
    }

    @Override
    public void close() {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException("close() called on the proxy's own event loop "
                        + Thread.currentThread().getName() + " (expected: another thread; it blocks while draining)");
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannels.forEach(channel -> channel.close().syncUninterruptibly());
        LOGGER.debug("Proxy on {} stopped accepting; draining {} connection(s) for up to {}",
                localAddress, relays.size(), config.drainTimeout());
        long drainStarted = System.nanoTime();
        boolean drained = awaitNoRelays(config.drainTimeout().toMillis());
        // An interrupt ends the drain early (see Proxy.close()); it is cleared for the waits
        // below and set again at the end, for the caller to see.
        boolean interrupted = Thread.interrupted();
        if (!drained) {
            cutRemaining(interrupted, Duration.ofNanos(System.nanoTime() - drainStarted));
        }
        try {
            config.upstream().stop();
        } catch (RuntimeException e) {
            LOGGER.warn("Proxy on {}: Upstream.stop() threw; ignored", localAddress, e);
        }
        group.shutdownGracefully(0, SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        LOGGER.debug("Proxy on {} closed", localAddress);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cuts the connections still open when the drain ended, and waits for them to close. */
    private void cutRemaining(boolean interrupted, Duration drained) {
        List<Relay> remaining = List.copyOf(relays);
        ProxyClosedConnectionException.Reason reason = interrupted
                ? ProxyClosedConnectionException.Reason.DRAIN_INTERRUPTED
                : ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT;
        LOGGER.info("Proxy on {}: {}, cutting {} connection(s)", localAddress,
                interrupted ? "drain ended early" : "drain timeout", remaining.size());
        Duration limit = interrupted ? drained : config.drainTimeout();
        for (Relay relay : remaining) {
            relay.eventLoop().execute(() -> relay.closeForShutdown(reason, limit));
        }
        if (!awaitNoRelays(SHUTDOWN_GRACE_MILLIS)) {
            LOGGER.warn("Proxy on {}: {} connection(s) did not close in {} ms", localAddress, relays.size(),
                    SHUTDOWN_GRACE_MILLIS);
        }
    }

    private boolean awaitNoRelays(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (relays) {
            while (!relays.isEmpty()) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMillis <= 0) {
                    return false;
                }
                try {
                    relays.wait(leftMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public String toString() {
        return "Proxy{" + localAddress + " -> " + config.upstream() + ", " + config.transport().name() + "/"
                + config.forwarding() + "}";
    }
}
