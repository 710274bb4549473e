package dev.zeroproxy;

import dev.zeroproxy.internal.SharedRuntime;
import java.time.Duration;
import java.util.Objects;

/**
 * Event loops shared by several proxies, and a connection limit over all of them: what one
 * configuration file's frontends run on. Each proxy given the runtime
 * ({@link ProxyBuilder#runtime(ProxyRuntime)}) accepts and relays on its loops, uses its
 * transport, and counts its connections against its limit; closing a proxy leaves the loops
 * running for the others.
 *
 * <pre>{@code
 * try (ProxyRuntime runtime = ProxyRuntime.builder().eventLoops(2).maxConnections(10_000).start()) {
 *     Proxy a = Proxy.builder().runtime(runtime).listen(addressA).upstream(serverA).start();
 *     Proxy b = Proxy.builder().runtime(runtime).listen(addressB).upstream(serverB).start();
 *     ...
 *     a.close();
 *     b.close();
 * }
 * }</pre>
 *
 * <p>Lifecycle: running from {@link Builder#start()} until {@link #close()}, which stops the
 * loops: close the proxies first (a proxy still open then is closed with it, its connections
 * cut). Thread-safe.
 */
public interface ProxyRuntime extends AutoCloseable {

    /** A builder for a new runtime. */
    static Builder builder() {
        return new Builder();
    }

    /** The transport of every proxy on this runtime. */
    Transport transport();

    /** The number of event loop threads. */
    int eventLoops();

    /** The most connections all its proxies hold at once; 0 for no limit. */
    int maxConnections();

    /**
     * A new limit over all its proxies, from now on (0: none): what is open stays open, and a
     * lower limit holds new clients in the backlog until enough have closed.
     *
     * @throws InvalidSettingException if negative
     */
    void maxConnections(int connections);

    /** Connections open now over all its proxies. */
    int openConnections();

    /**
     * The Netty event loops: to serve something else on the same threads (an admin endpoint)
     * or to measure them. Not to be shut down by the caller: {@link #close()} does that.
     */
    io.netty.channel.EventLoopGroup eventLoopGroup();

    /**
     * What an {@link Upstream} shared by several of this runtime's proxies is started with
     * ({@link Upstream#start}), when its owner starts it once rather than each proxy: the loops,
     * the transport, where its events go, and the connect timeout its checks and queues use.
     */
    UpstreamRuntime upstreamRuntime(ProxyListener listener, Duration connectTimeout);

    /**
     * Stops the loops, waiting up to a few seconds for them; idempotent. A proxy still open on
     * them is closed first, without a drain: its connections are cut (reported with
     * {@link ProxyClosedConnectionException.Reason#DRAIN_TIMEOUT}) and its upstream stopped.
     */
    @Override
    void close();

    /** Settings of a {@link ProxyRuntime}; not thread-safe. */
    final class Builder {
        private Transport transport;
        private int eventLoops = ProxyBuilder.DEFAULT_EVENT_LOOPS;
        private int maxConnections;

        private Builder() { }

        /** The transport; default {@link Transport#best()}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Event loop threads; default the number of available processors; 1 to 4096. */
        public Builder eventLoops(int eventLoops) {
            this.eventLoops = eventLoops;
            return this;
        }

        /**
         * The most connections all proxies of the runtime hold at once (HAProxy's global
         * {@code maxconn}); 0, the default, for no limit. At the limit every listener stops
         * accepting until a connection closes, as {@link ProxyBuilder#maxConnections} does for one.
         */
        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        /**
         * Starts the loops.
         *
         * @throws InvalidSettingException naming the first invalid setting
         */
        public ProxyRuntime start() {
            Transport chosen = transport != null ? transport : Transport.best();
            if (eventLoops < 1 || eventLoops > 4096) {
                throw InvalidSettingException.outOfRange("eventLoops", eventLoops, 1, 4096, "");
            }
            if (maxConnections < 0) {
                throw InvalidSettingException.outOfRange("maxConnections", maxConnections, 0, Integer.MAX_VALUE,
                        "(0: no limit)");
            }
            if (!chosen.isAvailable()) {
                Throwable cause = chosen.unavailabilityCause();
                throw InvalidSettingException.notHere("transport", chosen.name(), chosen.name()
                        + " is not available here", "an available transport; " + chosen.name() + ": "
                        + (cause == null ? "no cause given" : cause.getMessage()), cause);
            }
            return SharedRuntime.start(chosen, eventLoops, maxConnections);
        }
    }
}
