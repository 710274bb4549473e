package dev.zeroproxy.examples.admin;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.examples.forwarder.HostPortConverter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's admin endpoint: a read-only HTTP/1.1 server with {@code /metrics}
 * (Prometheus), {@code /stats} (an HTML page after HAProxy's), {@code /stats.json} and
 * {@code /connections}, on the proxies' own event loops and transport (Netty's HTTP codec, no
 * second server framework).
 *
 * <pre>{@code
 * try (AdminServer admin = AdminServer.builder(StatsSource.of("forward", proxy))
 *         .address(new InetSocketAddress("127.0.0.1", 9000))
 *         .metrics(registry::scrape)
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Sockets are served on the event loops; whatever reads the proxies (the figures, a metrics
 * scrape, the connections' snapshots composed) runs on one worker thread of its own, which also
 * samples the session peaks once a second. It has no authentication: bind it to a loopback
 * address (the default) or a private one.
 *
 * <p>Lifecycle: serving from {@link Builder#start()} to {@link #close()}, which closes its
 * channels and its worker and leaves the event loops to their owner. Closing the proxies' loops
 * first is fine: their channels close with them. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminServer.class);
    /** How often the stats page reloads itself by default. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);
    /** The longest refresh accepted. */
    public static final Duration MAX_REFRESH = Duration.ofHours(1);
    /** An admin connection idle this long is closed. */
    private static final int IDLE_SECONDS = 60;
    /** Requests have no body; this only bounds what a client can make the server hold. */
    private static final int MAX_REQUEST = 8192;
    /** Admin connections open at once; more are closed as they come. */
    static final int MAX_CONNECTIONS = 64;

    private final EventLoopGroup loops;
    private final Channel serverChannel;
    private final Set<Channel> children;
    private final ScheduledThreadPoolExecutor worker;
    private volatile boolean closed;

    private AdminServer(EventLoopGroup loops, Channel serverChannel, Set<Channel> children,
            ScheduledThreadPoolExecutor worker) {
        this.loops = loops;
        this.serverChannel = serverChannel;
        this.children = children;
        this.worker = worker;
    }

    /** A builder for an admin server showing {@code source}. */
    public static Builder builder(StatsSource source) {
        return new Builder(source);
    }

    /** The bound address; with port 0 asked for, the port the OS chose. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Closes the listening socket and every admin connection, and stops the worker; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.shutdownNow();
        if (!loops.isTerminated()) {
            // Also while the loops shut down (the proxy closed first): they still run tasks until
            // they terminate, and a port still accepting after close would surprise the caller.
            serverChannel.close();
            children.forEach(Channel::close);
        }
        // Once terminated, the loops have closed every channel registered with them.
        serverChannel.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Settings of an {@link AdminServer}; not thread-safe. */
    public static final class Builder {
        private final StatsSource source;
        private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private Duration refresh = DEFAULT_REFRESH;
        private Supplier<String> metrics;
        private ServerTraffic traffic;
        private String statsPath;

        private Builder(StatsSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /** Where to listen; default 127.0.0.1 on a port the OS chooses. */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * How often {@code /stats} reloads itself, in whole seconds up to an hour; 0 for never.
         * Default {@link #DEFAULT_REFRESH}.
         */
        public Builder refresh(Duration refresh) {
            this.refresh = Objects.requireNonNull(refresh, "refresh");
            return this;
        }

        /**
         * The text of {@code /metrics}, in Prometheus' text format (e.g. a Micrometer
         * {@code PrometheusMeterRegistry::scrape}); called on the worker thread for each request.
         * Without it, {@code /metrics} answers 404 saying metrics are off.
         */
        public Builder metrics(Supplier<String> metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Another path that serves the stats page, besides {@code /stats}: a configuration
         * file's {@code stats uri}. Default: none.
         */
        public Builder statsPath(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new InvalidSettingException("statsPath", path, "a path starting with /");
            }
            this.statsPath = path;
            return this;
        }

        /**
         * The per-server bytes, aborts, retries and state changes, as counted by a listener on
         * the proxies shown; without it, those columns stay at 0.
         */
        public Builder traffic(ServerTraffic traffic) {
            this.traffic = Objects.requireNonNull(traffic, "traffic");
            return this;
        }

        /**
         * Binds and starts serving. Must not be called on an event loop (it waits for the bind).
         *
         * @throws InvalidSettingException if the refresh is out of range
         * @throws ProxyBindException if the address cannot be bound, naming it and why
         */
        public AdminServer start() {
            if (!RefreshConverter.valid(refresh)) {
                throw new InvalidSettingException("statsRefresh", refresh, RefreshConverter.EXPECTED);
            }
            ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "zeroproxy-admin");
                thread.setDaemon(true);
                return thread;
            });
            worker.setRemoveOnCancelPolicy(true);
            StatsCollector collector = new StatsCollector(source, traffic != null ? traffic : new ServerTraffic());
            AdminRoutes routes = new AdminRoutes(source, collector, metrics, refresh, worker, statsPath);
            Set<Channel> children = ConcurrentHashMap.newKeySet();
            EventLoopGroup loops = source.eventLoopGroup();
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(loops)
                    .channelFactory(source.transport().serverChannelFactory())
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            if (children.size() >= MAX_CONNECTIONS) {
                                // A few operators and a scraper need a handful; more is a runaway client.
                                LOGGER.debug("admin endpoint: {} refused: {} connections open", channel, MAX_CONNECTIONS);
                                channel.close();
                                return;
                            }
                            children.add(channel);
                            channel.closeFuture().addListener(f -> children.remove(channel));
                            channel.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS),
                                    new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST),
                                    new AdminHandler(routes));
                        }
                    });
            ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                worker.shutdownNow();
                throw new ProxyBindException(address, bound.cause());
            }
            worker.scheduleAtFixedRate(() -> sample(collector), 1, 1, TimeUnit.SECONDS);
            AdminServer server = new AdminServer(loops, bound.channel(), children, worker);
            LOGGER.info("zeroproxy admin endpoint on http://{}/ (/stats{}, /stats.json, /connections, /metrics{})",
                    HostPortConverter.format(server.localAddress()), statsPath == null ? "" : " also at " + statsPath,
                    metrics == null ? ": off" : "");
            if (!server.localAddress().getAddress().isLoopbackAddress()) {
                LOGGER.warn("zeroproxy admin endpoint on {}, not a loopback address: it has no authentication;"
                        + " anyone who can reach it sees every connection's addresses",
                        HostPortConverter.format(server.localAddress()));
            }
            return server;
        }

        /** The peaks' sample: a failure is logged and the next second samples again. */
        private static void sample(StatsCollector collector) {
            try {
                collector.collect();
            } catch (RuntimeException e) {
                LOGGER.debug("admin endpoint: sampling the session peaks failed", e);
            }
        }
    }
}
