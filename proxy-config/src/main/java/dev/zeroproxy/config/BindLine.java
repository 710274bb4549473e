package dev.zeroproxy.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One address of a {@code bind} line (a line may list several, comma-separated).
 *
 * @param address the address to listen on, resolved
 * @param acceptProxy {@code accept-proxy}: a PROXY protocol header is required of every client
 * @param where where the address is written
 */
public record BindLine(InetSocketAddress address, boolean acceptProxy, SourcePosition where) {
    /** Checks the parts. */
    public BindLine {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(where, "where");
    }
}
