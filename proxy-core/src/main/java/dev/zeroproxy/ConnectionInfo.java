package dev.zeroproxy;

import dev.zeroproxy.edge.ProxyHeader;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One proxied connection, as {@link ProxyListener} sees it.
 *
 * @param id a number unique within one {@link Proxy}, in accept order, starting at 1
 * @param client the socket peer (the accepted socket's remote address): the client, or the
 *     proxy in front when a PROXY protocol header was accepted (see {@link #originalClient()})
 * @param upstream the upstream server of the event: the one connected, or the one an attempt
 *     failed on; null before a server was chosen ({@link ProxyListener#connectionOpened}, and a
 *     connection refused before any attempt)
 * @param proxyHeader the PROXY protocol header a trusted proxy sent, or null (none accepted)
 */
public record ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream, ProxyHeader proxyHeader) {
    /** Checks that the client is set. */
    public ConnectionInfo {
        Objects.requireNonNull(client, "client");
    }

    /** A connection without a PROXY protocol header. */
    public ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream) {
        this(id, client, upstream, null);
    }

    /** This connection with {@code server} as its upstream. */
    public ConnectionInfo withUpstream(InetSocketAddress server) {
        return new ConnectionInfo(id, client, server, proxyHeader);
    }

    /** The real client: what an accepted PROXY header said (unless LOCAL), else the socket peer. */
    public InetSocketAddress originalClient() {
        return proxyHeader != null && !proxyHeader.local() ? proxyHeader.source() : client;
    }

    /** Where the real client connected, if an accepted PROXY header said (unless LOCAL). */
    public Optional<InetSocketAddress> originalDestination() {
        return proxyHeader != null && !proxyHeader.local() ? Optional.of(proxyHeader.destination()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "#" + id + " " + format(client)
                + (proxyHeader != null && !proxyHeader.local() ? " (for " + format(proxyHeader.source()) + ")" : "")
                + (upstream == null ? "" : " -> " + format(upstream));
    }

    private static String format(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
