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
 * @param backend the name of the upstream that chose {@code upstream} ({@link Upstream#name()}:
 *     a group's name), or null (no name, or no server chosen yet)
 * @param server the chosen server's name ({@link UpstreamLease#serverName()}), or null
 */
public record ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream, ProxyHeader proxyHeader,
        String backend, String server) {
    /** Checks that the client is set. */
    public ConnectionInfo {
        Objects.requireNonNull(client, "client");
    }

    /** A connection without a PROXY protocol header. */
    public ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream) {
        this(id, client, upstream, null, null, null);
    }

    /** A connection whose upstream (if any) has no names. */
    public ConnectionInfo(long id, InetSocketAddress client, InetSocketAddress upstream, ProxyHeader proxyHeader) {
        this(id, client, upstream, proxyHeader, null, null);
    }

    /** This connection with {@code server} as its upstream, unnamed. */
    public ConnectionInfo withUpstream(InetSocketAddress server) {
        return new ConnectionInfo(id, client, server, proxyHeader, null, null);
    }

    /** This connection with {@code address} as its upstream, chosen by the upstream {@code backendName} as its server {@code serverName} (either may be null). */
    public ConnectionInfo withUpstream(InetSocketAddress address, String backendName, String serverName) {
        return new ConnectionInfo(id, client, address, proxyHeader, backendName, serverName);
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
