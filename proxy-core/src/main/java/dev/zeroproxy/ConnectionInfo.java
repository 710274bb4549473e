package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One proxied connection, as {@link ProxyListener} sees it.
 *
 * @param id a number unique within one {@link Proxy}, in accept order, starting at 1
 * @param client the client's address (the accepted socket's remote address)
 * @param upstream the upstream server of the event: the one connected, or the one an attempt
 *     failed on; null before a server was chosen ({@link ProxyListener#connectionOpened}, and a
 *     connection refused before any attempt)
 */
public record ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream) {
    /** Checks that the client is set. */
    public ConnectionInfo {
        Objects.requireNonNull(client, "client");
    }

    /** This connection with {@code server} as its upstream. */
    public ConnectionInfo withUpstream(InetSocketAddress server) {
        return new ConnectionInfo(id, client, server);
    }

    @Override
    public String toString() {
        return "#" + id + " " + client.getHostString() + ":" + client.getPort()
                + (upstream == null ? "" : " -> " + upstream.getHostString() + ":" + upstream.getPort());
    }
}
