package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionHandle;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.edge.EdgeAdmission;
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
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
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

    /** The configuration new connections get; replaced by {@link #reconfigure}. */
    private volatile ProxyGeneration generation;
    /** The upstreams the generations use, started and stopped with their first and last user. */
    private final UpstreamUses upstreams;
    /** The runtime whose loops this proxy borrows; null when it has its own. */
    private final SharedRuntime runtime;
    private final EventLoopGroup group;
    private final PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final ProxyCounters counters = new ProxyCounters();
    private final MemoryBudget memoryBudget;
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the listening channels are closing: by {@link #stopAccepting()}, which {@link #close()} runs first. */
    private volatile boolean unbound;
    private final List<Channel> serverChannels = new ArrayList<>();
    /** Options of every relayed channel, client and upstream alike; built once. */
    private final Map<ChannelOption<?>, Object> connectionOptions;
    /** Template for the upstream connects, cloned onto each client's event loop. */
    private final Bootstrap upstreamBootstrap;
    /** The same for connects from a chosen source address: its port is left to the connect (see SourcePool). */
    private final Bootstrap sourcedUpstreamBootstrap;
    private final NamedAddresses connectAddresses = new NamedAddresses();
    private final AcceptLimit acceptLimit;
    private InetSocketAddress localAddress;

    private ProxyServer(ProxyConfig config) {
        this.runtime = (SharedRuntime) config.runtime().orElse(null);
        this.memoryBudget = new MemoryBudget(config.directMemoryBudget());
        this.acceptLimit = new AcceptLimit(config.maxConnections(), runtime == null ? null : runtime.limit());
        this.generation = new ProxyGeneration(this, config, 1,
                EdgeAdmission.create(config.accessRules(), config.sourceLimits()));
        this.group = runtime != null ? runtime.group() : config.transport().newEventLoopGroup(config.eventLoops(),
                new DefaultThreadFactory("zeroproxy-" + config.transport().name()));
        // start() starts the first upstream before anything can use it; on failure the server is dropped.
        this.upstreams = new UpstreamUses(group, config, this::stopUpstream);
        this.connectionOptions = Map.copyOf(buildConnectionOptions());
        ChannelFactory<Channel> upstreamChannels = preparedChannels(config.transport(), readFromRegistration(config));
        this.upstreamBootstrap = new Bootstrap()
                .group(group)
                .channelFactory(upstreamChannels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis());
        connectionOptions.forEach((option, value) -> option(upstreamBootstrap, option, value));
        this.sourcedUpstreamBootstrap = upstreamBootstrap.clone();
        Transport.NettyOption noPort = config.transport().bindAddressNoPort();
        if (noPort != null) {
            option(sourcedUpstreamBootstrap, noPort.option(), noPort.value());
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
        if (config.runtime().isPresent() && ((SharedRuntime) config.runtime().get()).isClosed()) {
            throw new IllegalStateException("start(): the runtime " + config.runtime().get()
                    + " is closed (expected: a running runtime)");
        }
        ProxyServer server = new ProxyServer(config);
        // The upstream starts first (a group's checks), so that it is ready for the first connection.
        try {
            config.upstream().start(server.upstreams.lent());
        } catch (RuntimeException e) {
            server.stopOwnLoops(0);
            throw e;
        }
        try {
            server.bind();
        } catch (RuntimeException e) {
            config.upstream().stop();
            server.stopOwnLoops(0);
            throw e;
        }
        if (server.runtime != null && !server.runtime.proxyStarted(server)) {
            // The runtime closed while this proxy started: it must not outlive it.
            server.close();
            throw new IllegalStateException("start(): the runtime " + server.runtime
                    + " closed while the proxy started (expected: a running runtime)");
        }
        if (config.requestedForwarding() == Forwarding.BEST && config.forwarding() == Forwarding.COPY) {
            LOGGER.info("Proxy on {}: forwarding BEST copies here: transport {} cannot splice (splicing needs"
                    + " proxy-epoll on the classpath, on Linux)", server.localAddress, config.transport().name());
        }
        return server;
    }

    private void bind() {
        ProxyConfig config = generation.config();
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
        ProxyConfig config = generation.config();
        return config.socketOption(TcpOption.SO_REUSEPORT).orElse(config.eventLoops() > 1
                && config.transport().channelOption(TcpOption.SO_REUSEPORT, true) != null);
    }

    /** Options of the listening socket(s): SO_REUSEPORT as decided, then the user's LISTENER-scope ones. */
    private Map<ChannelOption<?>, Object> listenerOptions() {
        ProxyConfig config = generation.config();
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
        ProxyConfig config = generation.config();
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
        ProxyConfig config = generation.config();
        config.socketOptions().forEach((option, value) -> {
            if (option.scope() == scope) {
                // build() checked that the transport maps every option it was given.
                Transport.NettyOption netty = config.transport().channelOption(option, value);
                options.put(netty.option(), netty.value());
            }
        });
    }

    /** Stops an upstream no generation uses any more; a failure is logged, not thrown. */
    void stopUpstream(Upstream upstream) {
        try {
            upstream.stop();
        } catch (RuntimeException e) {
            LOGGER.warn("Proxy on {}: Upstream.stop() threw; ignored", localAddress, e);
        }
    }

    /** A retired generation has no connection left: its upstream is stopped if no other generation uses it. */
    void generationDone(ProxyGeneration done) {
        upstreams.done(done.config().upstream());
    }

    /** The address to connect to for {@code server}: equal to it (see {@link NamedAddresses}). */
    InetSocketAddress connectAddress(InetSocketAddress server) {
        return connectAddresses.of(server);
    }

    /**
     * The upstream connect template; {@code clone(loop)} it per connection.
     *
     * @param sourced whether the connect binds a source address first
     */
    Bootstrap upstreamBootstrap(boolean sourced) {
        return sourced ? sourcedUpstreamBootstrap : upstreamBootstrap;
    }

    @SuppressWarnings("unchecked")
    private static void childOption(ServerBootstrap b, ChannelOption<?> option, Object value) {
        b.childOption((ChannelOption<Object>) option, value);
    }

    @SuppressWarnings("unchecked")
    private static void option(AbstractBootstrap<?, ?> b, ChannelOption<?> option, Object value) {
        b.option((ChannelOption<Object>) option, value);
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
     * Returns the generation it was accepted under.
     */
    ProxyGeneration connectionAccepted(Channel client) {
        counters.openChannels.increment();
        // The generation now is the connection's for its whole life, whatever a reconfigure does
        // meanwhile. One retired and done between the read and the count takes no connection:
        // the current one, newer, does.
        ProxyGeneration current = generation;
        while (!current.tryHold()) {
            current = generation;
        }
        acceptLimit.connectionOpened();
        ProxyGeneration accepted = current;
        // One listener gives back all three: each listener is an object kept for the channel's
        // life, and a second one on the same future adds Netty's listener array, on every pair.
        client.closeFuture().addListener(f -> clientClosed(accepted));
        return accepted;
    }

    private void clientClosed(ProxyGeneration accepted) {
        counters.openChannels.decrement();
        accepted.release();
        acceptLimit.connectionClosed();
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
        return generation.config();
    }

    @Override
    public long generation() {
        return generation.number();
    }

    @Override
    public synchronized void reconfigure(ProxyConfig next) {
        if (closed.get()) {
            throw new IllegalStateException("reconfigure(): the proxy on " + localAddress
                    + " is closed (expected: a running proxy)");
        }
        ProxyGeneration current = generation;
        Reconfiguration.requireSameListener(current.config(), next, localAddress);
        EdgeAdmission admission = Reconfiguration.sameAdmission(current.config(), next)
                ? current.admission() : EdgeAdmission.create(next.accessRules(), next.sourceLimits());
        ProxyGeneration replacement = new ProxyGeneration(this, next, current.number() + 1, admission);
        if (!upstreams.use(next, current.config())) {
            throw new IllegalStateException("reconfigure(): the proxy on " + localAddress
                    + " is closed (expected: a running proxy)");
        }
        acceptLimit.max(next.maxConnections());
        generation = replacement;
        current.retire();
        LOGGER.info("Proxy on {}: configuration generation {} for new connections ({} -> {})", localAddress,
                replacement.number(), localAddress, next.upstream());
    }

    @Override
    public ProxyStats stats() {
        return counters.snapshot(allocator, memoryBudget);
    }

    @Override
    public List<ConnectionHandle> connections() {
        List<ConnectionHandle> open = new ArrayList<>(relays.size());
        for (Relay relay : relays) {
            open.add(new RelayHandle(relay));
        }
        open.sort(Comparator.comparingLong(ConnectionHandle::id));
        return open;
    }

    @Override
    public Optional<ConnectionHandle> connection(long id) {
        for (Relay relay : relays) {
            if (relay.id() == id) {
                return Optional.of(new RelayHandle(relay));
            }
        }
        return Optional.empty();
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    @Override
    public boolean isAccepting() {
        return !closed.get() && !unbound;
    }

    @Override
    public void stopAccepting() {
        requireOtherThread("stopAccepting()", "it waits for the listening sockets to close");
        unbind();
    }

    /** Closes the listening channels, once; the first caller waits for them. */
    private synchronized void unbind() {
        if (unbound) {
            return;
        }
        unbound = true;
        serverChannels.forEach(ProxyServer::closeListener);
    }

    @Override
    public void close() {
        close(generation.config().drainTimeout());
    }

    /** Its runtime is closing: closed at once, its connections cut rather than drained. */
    void closeWithoutDrain() {
        close(Duration.ZERO);
    }

    private void close(Duration drainTimeout) {
        requireOtherThread("close()", "it blocks while draining");
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        unbind();
        awaitAcceptedChannels();
        LOGGER.debug("Proxy on {} stopped accepting; draining {} connection(s) for up to {}",
                localAddress, relays.size(), drainTimeout);
        long drainStarted = System.nanoTime();
        boolean drained = awaitNoRelays(drainTimeout.toMillis());
        // An interrupt ends the drain early (see Proxy.close()); it is cleared for the waits
        // below and set again at the end, for the caller to see.
        boolean interrupted = Thread.interrupted();
        if (!drained) {
            cutRemaining(interrupted, drainTimeout, Duration.ofNanos(System.nanoTime() - drainStarted));
        }
        // Whatever generation still uses one: their connections are closed.
        upstreams.stopAll();
        stopOwnLoops(SHUTDOWN_GRACE_MILLIS);
        if (runtime != null) {
            runtime.proxyClosed(this);
        }
        LOGGER.debug("Proxy on {} closed", localAddress);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lets the channels accepted before the unbind, whose initializers are still queued on their
     * loops, start their relays (or, seeing the proxy closed, reset their clients) before the
     * drain counts what is open: otherwise a relay could start after close() returned, on a
     * runtime's loops that go on running. Each loop runs its tasks in order: one empty task
     * through each is enough.
     */
    private void awaitAcceptedChannels() {
        for (EventExecutor loop : group) {
            try {
                loop.submit(() -> { }).awaitUninterruptibly(SHUTDOWN_GRACE_MILLIS);
            } catch (RejectedExecutionException stopped) {
                // A runtime closing meanwhile: its loops closed their channels.
            }
        }
    }

    private void requireOtherThread(String method, String why) {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException(method + " called on the proxy's own event loop "
                        + Thread.currentThread().getName() + " (expected: another thread; " + why + ")");
            }
        }
    }

    /**
     * Closes a listening channel and waits for it; one whose loop has stopped (a runtime's,
     * closing meanwhile) was closed by it, and the proxy's {@code close()} must still return
     * rather than fail on a loop that takes no more tasks.
     */
    private static void closeListener(Channel listener) {
        if (!listener.isOpen()) {
            return;
        }
        try {
            listener.close().syncUninterruptibly();
        } catch (RejectedExecutionException loopStopped) {
            // Its loop stopped meanwhile, closing it.
        }
    }

    /** Stops the event loops, unless they are a runtime's. */
    private void stopOwnLoops(long graceMillis) {
        if (runtime == null) {
            group.shutdownGracefully(0, graceMillis, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    /** Cuts the connections still open when the drain ended, and waits for them to close. */
    private void cutRemaining(boolean interrupted, Duration drainTimeout, Duration drained) {
        List<Relay> remaining = List.copyOf(relays);
        ProxyClosedConnectionException.Reason reason = interrupted
                ? ProxyClosedConnectionException.Reason.DRAIN_INTERRUPTED
                : ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT;
        LOGGER.info("Proxy on {}: {}, cutting {} connection(s)", localAddress,
                interrupted ? "drain ended early" : "drain timeout", remaining.size());
        Duration limit = interrupted ? drained : drainTimeout;
        for (Relay relay : remaining) {
            try {
                relay.eventLoop().execute(() -> relay.closeForShutdown(reason, limit));
            } catch (RejectedExecutionException loopsStopped) {
                // A runtime closed first: its loops closed the pair's channels as they stopped.
            }
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
        ProxyConfig config = generation.config();
        return "Proxy{" + localAddress + " -> " + config.upstream() + ", " + config.transport().name() + "/"
                + config.forwarding() + "}";
    }
}
