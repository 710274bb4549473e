package dev.zeroproxy;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerStateChange;

/**
 * Hears the life of each proxied connection.
 *
 * <p>Events come in pairs: every {@link #connectionOpened} is followed by exactly one
 * {@link #connectionClosed}; between them, any number of {@link #upstreamAttemptFailed} (one
 * per failed attempt that is retried), then at most one of {@link #upstreamConnected} or
 * {@link #upstreamConnectFailed}. {@link #serverStateChanged} reports the servers of an
 * upstream group, apart from any connection. All methods have no-op defaults, so a listener
 * overrides only what it needs.
 *
 * <p>Methods are called on the connection's event loop: they must be fast, must not block and
 * must not throw (a thrown exception is logged and otherwise ignored). Hand slow work to
 * another thread.
 *
 * <pre>{@code
 * Proxy.builder().listener(new ProxyListener() {
 *     public void connectionClosed(ConnectionInfo c, ConnectionSummary s) {
 *         metrics.record(s.bytesFromClient(), s.bytesFromUpstream());
 *     }
 * })
 * }</pre>
 */
public interface ProxyListener {

    /** A listener that ignores every event. */
    ProxyListener NOOP = new ProxyListener() { };

    /**
     * One listener that passes every event to each of {@code listeners}, in order; one that
     * throws is logged and the next still hears the event. For several concerns (metrics, an
     * access log, a frontend's own) on one proxy, or one concern shared by several proxies.
     */
    static ProxyListener all(ProxyListener... listeners) {
        // Arrays.asList, not List.of: a null element must reach the chain's check, which names it.
        return ListenerChain.of(java.util.Arrays.asList(java.util.Objects.requireNonNull(listeners, "listeners")));
    }

    /** A client connection was accepted; the upstream connect starts now. */
    default void connectionOpened(ConnectionInfo connection) { }

    /**
     * One connect attempt failed (refused, reset, timed out) and another follows, on another
     * server where the upstream has one; {@code connection.upstream()} is the server that failed.
     * The final failure is {@link #upstreamConnectFailed} instead.
     */
    default void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) { }

    /** The upstream connection is established; bytes start flowing. {@code connection.upstream()} is the server. */
    default void upstreamConnected(ConnectionInfo connection) { }

    /**
     * No upstream could be had: the last attempt failed (refused, timed out, unreachable) with no
     * retry left, or the upstream refused the connection (no server usable, a queue timed out).
     * The client's connection is reset next, and {@link #connectionClosed} follows.
     */
    default void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) { }

    /** The connection is fully closed on both sides; called exactly once per connection. */
    default void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) { }

    /**
     * A connection was refused at the proxy's edge (an access rule, a per-source limit, a
     * missing or malformed PROXY protocol header), before any upstream work; the client is
     * reset. No other event is reported for it: it was never a proxied connection.
     */
    default void connectionRefused(ConnectionRefusal refusal) { }

    /**
     * A server of an upstream group changed state (a health check, an ejection, an operator's
     * drain or disable). Called on one of the proxy's event loops, or on the operator's thread
     * for a change the operator made.
     */
    default void serverStateChanged(ServerStateChange change) { }
}
