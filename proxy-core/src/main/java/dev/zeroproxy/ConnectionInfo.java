package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One proxied connection, as {@link ProxyListener} sees it.
 *
 * @param id a number unique within one {@link Proxy}, in accept order, starting at 1
 * @param client the client's address (the accepted socket's remote address)
 * @param upstream the upstream address chosen for this connection
 */
public record ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream) {
    /** Checks that no component is null. */
    public ConnectionInfo {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(upstream, "upstream");
    }

    @Override
    public String toString() {
        return "#" + id + " " + client.getHostString() + ":" + client.getPort()
                + " -> " + upstream.getHostString() + ":" + upstream.getPort();
    }
}
