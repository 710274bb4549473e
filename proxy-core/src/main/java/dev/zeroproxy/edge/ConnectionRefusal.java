package dev.zeroproxy.edge;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A connection the proxy accepted from the kernel and then refused at its edge, before any
 * upstream work, as {@link dev.zeroproxy.ProxyListener#connectionRefused} hears it. The client is
 * reset; nothing it sent reaches an upstream.
 *
 * @param client the socket peer
 * @param reason why
 * @param detail the specifics in words (the rule that matched, the limit, what was malformed)
 */
public record ConnectionRefusal(InetSocketAddress client, Reason reason, String detail) {

    /** Why a connection was refused at the edge. */
    public enum Reason {
        /** An access rule denied the client's address (or no rule allowed it). */
        DENIED,
        /** The client's address already holds its most connections at once. */
        TOO_MANY_FROM_SOURCE,
        /** The client's address opened connections faster than its rate limit. */
        TOO_FAST_FROM_SOURCE,
        /** A PROXY protocol header is required and the client is not a trusted proxy. */
        UNTRUSTED_PROXY,
        /** The PROXY protocol header was malformed (or its CRC32C did not match). */
        PROXY_HEADER_MALFORMED,
        /** The PROXY protocol header did not arrive within its timeout. */
        PROXY_HEADER_TIMEOUT
    }

    /** Checks that no component is null. */
    public ConnectionRefusal {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
