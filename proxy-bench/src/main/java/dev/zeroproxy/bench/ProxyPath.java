package dev.zeroproxy.bench;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What stands between a benchmark's client and its upstream: the values of the shared
 * {@code path} parameter ({@link PathState}), and how to start each.
 *
 * <pre>{@code
 * try (RunningPath path = ProxyPath.named("epoll-splice").start(sink.address())) {
 *     Socket client = Sockets.connect(path.address());
 *     ...
 * }
 * }</pre>
 */
enum ProxyPath {
    /** No proxy: the client connects to the upstream itself. The floor every path is measured against. */
    DIRECT("direct", null, null),
    /** {@link NaiveProxy}: blocking, a thread per direction, copies through a heap buffer. */
    NAIVE("naive", null, null),
    /** ZeroProxy on the portable NIO transport, copying (the only mode NIO has). */
    NIO_COPY("nio-copy", "nio", Forwarding.COPY),
    /** ZeroProxy on epoll, copying pooled direct buffers. */
    EPOLL_COPY("epoll-copy", "epoll", Forwarding.COPY),
    /** ZeroProxy on epoll, kernel {@code splice()} from the first byte. */
    EPOLL_SPLICE("epoll-splice", "epoll", Forwarding.SPLICE),
    /**
     * ZeroProxy on epoll, copying each direction's first 256 KiB (the default threshold), then
     * splicing. The threshold counts a direction's bytes over the connection's whole life, so a
     * long-lived connection of small messages (PingPong's) splices too, after 4096 64-byte ones.
     */
    EPOLL_AUTO("epoll-auto", "epoll", Forwarding.AUTO);

    /**
     * Every benchmark here keeps one connection busy at a time, and each connection stays on
     * one event loop: a second loop would only idle, and on a small machine take a core's
     * worth of scheduling from the client and the upstream.
     */
    static final int EVENT_LOOPS = 1;
    /** The prefix of ZeroProxy's event loop threads ({@code zeroproxy-<transport>-<pool>-<n>}). */
    static final String ZEROPROXY_THREAD_PREFIX = "zeroproxy-";
    /**
     * Trials close their clients before the path, so nothing should be left to drain; if
     * something is, waiting the default 30 s would only delay the next trial.
     */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);

    private final String paramName;
    private final String transport;
    private final Forwarding forwarding;

    ProxyPath(String paramName, String transport, Forwarding forwarding) {
        this.paramName = paramName;
        this.transport = transport;
        this.forwarding = forwarding;
    }

    /** The {@code path} parameter value, e.g. {@code epoll-splice}. */
    String paramName() {
        return paramName;
    }

    /**
     * The path whose parameter value is {@code name}.
     *
     * @throws IllegalArgumentException naming the known values
     */
    static ProxyPath named(String name) {
        for (ProxyPath path : values()) {
            if (path.paramName.equals(name)) {
                return path;
            }
        }
        throw new IllegalArgumentException("path: " + name + " (expected one of: "
                + Arrays.stream(values()).map(ProxyPath::paramName).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * Starts this path in front of {@code upstream}.
     *
     * @throws IllegalArgumentException if the path's transport is not available here (the
     *     message says why, e.g. epoll off Linux)
     */
    RunningPath start(InetSocketAddress upstream) throws IOException {
        switch (this) {
            case DIRECT:
                return new Direct(upstream);
            case NAIVE:
                return new Naive(NaiveProxy.start(upstream));
            default:
                return startZeroProxy(Upstream.of(upstream), null);
        }
    }

    /**
     * Starts this path in front of {@code servers}, shaped as {@code shape}: for
     * {@link UpstreamShape#SINGLE} the same as {@link #start(InetSocketAddress)}, for a group a
     * ZeroProxy relaying to an {@link dev.zeroproxy.upstream.UpstreamGroup} of them.
     *
     * @throws IllegalArgumentException if this path has no upstream groups ({@code direct},
     *     {@code naive}), if {@code servers} does not match the shape, or as
     *     {@link #start(InetSocketAddress)}
     */
    RunningPath start(UpstreamShape shape, List<InetSocketAddress> servers) throws IOException {
        return start(shape, servers, false);
    }

    /**
     * As {@link #start(UpstreamShape, List)}, and with {@code metered} a ZeroProxy path metered
     * by {@link BenchMetrics} (scraped by {@link RunningPath#scrapeMetrics()}).
     *
     * @throws IllegalArgumentException as {@link #start(UpstreamShape, List)}, or if
     *     {@code metered} and this path has no metrics ({@code direct}, {@code naive})
     */
    RunningPath start(UpstreamShape shape, List<InetSocketAddress> servers, boolean metered) throws IOException {
        if (servers.size() != shape.servers()) {
            throw new IllegalArgumentException("upstream " + shape + ": " + servers.size() + " servers (expected: "
                    + shape.servers() + ")");
        }
        if (transport == null) {
            if (shape.isGroup()) {
                throw new IllegalArgumentException("upstream " + shape + ": path " + paramName
                        + " has no upstream groups (only the ZeroProxy paths do)");
            }
            if (metered) {
                throw new IllegalArgumentException("metrics on: path " + paramName
                        + " has no metrics (only the ZeroProxy paths do)");
            }
            return start(servers.get(0));
        }
        return startZeroProxy(shape.upstream(servers), metered ? new BenchMetrics() : null);
    }

    private RunningPath startZeroProxy(Upstream upstream, BenchMetrics metrics) {
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(Transport.named(transport))
                .forwarding(forwarding)
                .eventLoops(EVENT_LOOPS)
                .drainTimeout(DRAIN_TIMEOUT);
        if (metrics != null) {
            builder.listener(metrics.listener());
        }
        Proxy proxy;
        try {
            proxy = builder.start();
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
        if (metrics != null) {
            try {
                metrics.meter(proxy, upstream);
            } catch (RuntimeException e) {
                proxy.close();
                metrics.close();
                throw e;
            }
        }
        return new ZeroProxyPath(proxy, forwarding, metrics);
    }

    @Override
    public String toString() {
        return paramName;
    }

    /** No proxy in between. */
    private static final class Direct implements RunningPath {
        private final InetSocketAddress upstream;

        Direct(InetSocketAddress upstream) {
            this.upstream = upstream;
        }

        @Override
        public InetSocketAddress address() {
            return upstream;
        }

        @Override
        public String threadNamePrefix() {
            return null;
        }

        @Override
        public void close() { }
    }

    private static final class Naive implements RunningPath {
        private final NaiveProxy proxy;

        Naive(NaiveProxy proxy) {
            this.proxy = proxy;
        }

        @Override
        public InetSocketAddress address() {
            return proxy.address();
        }

        @Override
        public String threadNamePrefix() {
            return NaiveProxy.THREAD_PREFIX;
        }

        @Override
        public void close() {
            proxy.close();
        }
    }

    private static final class ZeroProxyPath implements RunningPath {
        private final Proxy proxy;
        private final Forwarding forwarding;
        private final BenchMetrics metrics;

        /** @param metrics the path's metrics, or null (not metered) */
        ZeroProxyPath(Proxy proxy, Forwarding forwarding, BenchMetrics metrics) {
            this.proxy = proxy;
            this.forwarding = forwarding;
            this.metrics = metrics;
        }

        @Override
        public InetSocketAddress address() {
            return proxy.localAddress();
        }

        @Override
        public String threadNamePrefix() {
            return ZEROPROXY_THREAD_PREFIX;
        }

        @Override
        public void scrapeMetrics() {
            if (metrics != null) {
                metrics.scrape();
            }
        }

        /**
         * Closes the proxy, then fails if a splicing path spliced nothing (such a benchmark would
         * have measured copying under a splice label), or if a metered path was never scraped
         * (it would have measured metering without its reader).
         */
        @Override
        public void close() {
            proxy.close();
            ProxyStats stats = proxy.stats();
            if (metrics != null) {
                metrics.close();
                if (metrics.scrapes() == 0) {
                    throw new IllegalStateException(proxy + " was metered and never scraped");
                }
            }
            if (forwarding == Forwarding.SPLICE && stats.bytesForwarded() > 0 && stats.bytesSpliced() == 0) {
                throw new IllegalStateException(proxy + " forwarded " + stats.bytesForwarded()
                        + " bytes and spliced none of them: " + stats);
            }
        }
    }
}
