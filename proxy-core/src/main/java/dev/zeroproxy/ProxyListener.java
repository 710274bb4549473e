package dev.zeroproxy;

/**
 * Hears the life of each proxied connection.
 *
 * <p>Events come in pairs: every {@link #connectionOpened} is followed by exactly one
 * {@link #connectionClosed}; between them, at most one of {@link #upstreamConnected} or
 * {@link #upstreamConnectFailed}. All methods have no-op defaults, so a listener overrides
 * only what it needs.
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

    /** A client connection was accepted; the upstream connect starts now. */
    default void connectionOpened(ConnectionInfo connection) { }

    /** The upstream connection is established; bytes start flowing. */
    default void upstreamConnected(ConnectionInfo connection) { }

    /**
     * The upstream could not be reached (refused, timed out, unreachable). The client's
     * connection is closed next, and {@link #connectionClosed} follows.
     */
    default void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) { }

    /** The connection is fully closed on both sides; called exactly once per connection. */
    default void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) { }
}
