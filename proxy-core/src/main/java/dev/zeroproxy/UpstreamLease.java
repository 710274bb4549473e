package dev.zeroproxy;

import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A server's answer to one {@link UpstreamAttempt}: where to connect, and what the upstream
 * hears back. A lease handed to {@link UpstreamAttempt#connect} hears exactly one of
 * {@link #failed} (the connect did not succeed) or {@link #released} (the connection it carried
 * closed, or the attempt was given up before connecting), after {@link #connected} if the
 * connect succeeded. Those calls come from the connection's event loop: they must be fast and
 * must not block.
 */
@FunctionalInterface
public interface UpstreamLease {

    /** Where to connect. */
    InetSocketAddress address();

    /** The server's name, for logs and metrics (a group's server name); null (the default) for none. */
    default String serverName() {
        return null;
    }

    /**
     * The connect succeeded; bytes start flowing.
     *
     * @param cut resets the connection (client and server) when run, from any thread: for a
     *     group that closes the connections of a server marked down
     */
    default void connected(Runnable cut) { }

    /** The connect failed (refused, reset, timed out, no socket); the lease ends. */
    default void failed(Throwable cause) { }

    /** The connection closed (or never connected, given up before); the lease ends. */
    default void released() { }

    /**
     * The local address the connection to this server leaves from (HAProxy's {@code source} on a
     * server line); null (the default) for the proxy's {@linkplain ProxyBuilder#sourcePool source
     * pool}, or the kernel's choice without one. The port is left to the connect.
     */
    default InetAddress sourceAddress() {
        return null;
    }

    /**
     * The PROXY protocol header this server wants ahead of the client's bytes; null (the default)
     * for the proxy's own setting ({@link ProxyBuilder#sendProxyProtocol}).
     */
    default ProxyProtocolSend sendProxyProtocol() {
        return null;
    }
}
