package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A running TCP proxy: it accepts clients on {@link #localAddress()} and relays each one,
 * byte for byte and both ways, to a connection of its own to the {@linkplain Upstream upstream}.
 *
 * <pre>{@code
 * try (Proxy proxy = Proxy.builder()
 *         .listen(new InetSocketAddress("127.0.0.1", 0))
 *         .upstream(new InetSocketAddress("127.0.0.1", 5432))
 *         .start()) {
 *     log.info("listening on {}", proxy.localAddress());
 *     ...
 * }
 * }</pre>
 *
 * <p>Lifecycle: a proxy is running from {@link ProxyBuilder#start()} until {@link #close()}; it
 * cannot be restarted. Thread-safety: every method may be called from any thread except
 * {@link #close()}, which blocks and so must not be called from the proxy's own event loops
 * (for example from a {@link ProxyListener}).
 */
public interface Proxy extends AutoCloseable {

    /** A builder for a new proxy. */
    static ProxyBuilder builder() {
        return new ProxyBuilder();
    }

    /** The bound listening address; with port 0 in the configuration, the port the OS chose. */
    InetSocketAddress localAddress();

    /** The configuration new connections get now: the one it was started with, or the last {@link #reconfigure}'s. */
    ProxyConfig config();

    /** The number of the configuration new connections get: 1 at the start, one more per {@link #reconfigure}. */
    long generation();

    /**
     * Gives the connections accepted from now on another configuration, without closing the
     * listening socket: no client is refused or kept waiting for it, and the connections open
     * now keep the configuration they started with until they end. A new {@link Upstream} is
     * started before the switch (unless an older configuration's connections still use it); the
     * one it replaces is stopped once the last connection using it has closed. An upstream kept
     * reports to the new listener and queues with the new connect timeout. A lower
     * {@link ProxyBuilder#maxConnections} is in force when this returns. Per-source counts
     * ({@link ProxyBuilder#sourceLimits}) start again if the edge rules changed.
     *
     * <p>What the listening sockets and accepted channels were set up with cannot change here:
     * the listen address, the transport and loops (or runtime), the forwarding mode and splice
     * settings, the water marks, the memory budget and the socket options. For those, start a
     * new proxy.
     *
     * @param config the new configuration ({@code proxy.config().toBuilder()...build()})
     * @throws InvalidSettingException naming a setting that cannot change on a running proxy
     * @throws IllegalStateException if the proxy is closed
     */
    void reconfigure(ProxyConfig config);

    /** A snapshot of the proxy's counters. Cheap enough to call once a second. */
    ProxyStats stats();

    /**
     * The connections open now (accepted and not yet fully closed), in accept order, each as a
     * live {@link ConnectionHandle}. The list is a copy; a handle outlives its connection (its
     * actions then do nothing).
     */
    List<ConnectionHandle> connections();

    /** The open connection numbered {@code id}, if there is one. */
    Optional<ConnectionHandle> connection(long id);

    /**
     * The Netty event loops this proxy runs on (its own, or its {@link ProxyRuntime}'s): to
     * serve something else on the same threads (an admin endpoint) or to measure them. Not to be
     * shut down by the caller: {@link #close()} (or the runtime's) does that.
     */
    io.netty.channel.EventLoopGroup eventLoopGroup();

    /**
     * Whether the proxy still accepts connections ({@code false} once {@link #stopAccepting()}
     * or {@link #close()} began).
     */
    boolean isAccepting();

    /**
     * Unbinds the listening socket now, and returns once it is closed: from then on a client's
     * connect is refused. The open connections go on; {@link #close()} drains them. For a caller
     * that drains in the background but must know that nothing new is accepted when it goes on
     * (a reload removing a bind, {@code dev.zeroproxy.config.Deployment}). Idempotent.
     *
     * @throws IllegalStateException if called from one of the proxy's event loops
     */
    void stopAccepting();

    /**
     * Stops the proxy gracefully: unbinds the listening socket at once, lets open connections
     * finish for up to {@link ProxyConfig#drainTimeout()}, then cuts those still open (each
     * side gets what was read for it, then a reset) and releases every thread and buffer.
     * Idempotent; blocks until done.
     *
     * <p>Interrupting the thread blocked here ends the drain at once: the connections still
     * open are cut as at the drain timeout, reported with
     * {@link ProxyClosedConnectionException.Reason#DRAIN_INTERRUPTED}, and the thread's interrupt
     * status is set again when this returns. (The forwarder does this on a second SIGINT/SIGTERM.)
     *
     * @throws IllegalStateException if called from one of the proxy's event loops
     */
    @Override
    void close();
}
