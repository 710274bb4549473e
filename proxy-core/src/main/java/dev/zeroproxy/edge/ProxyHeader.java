package dev.zeroproxy.edge;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A PROXY protocol header a trusted proxy sent ahead of a connection's bytes: who the real
 * client was, and where it connected, as that proxy saw them.
 *
 * @param version 1 (text) or 2 (binary)
 * @param local a {@code LOCAL} header (v2), or v1's {@code UNKNOWN}: the proxy's own connection
 *     (a health check, say), with no client to report; {@code source} and {@code destination} are
 *     then null and the socket's addresses stand
 * @param source the original client
 * @param destination the address the original client connected to
 * @param tlvs the v2 header's TLVs, in order (none for v1)
 */
public record ProxyHeader(int version, boolean local, InetSocketAddress source, InetSocketAddress destination,
        List<ProxyTlv> tlvs) {

    /** Checks the version and copies the TLVs. */
    public ProxyHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("version: " + version + " (expected: 1 or 2)");
        }
        if (!local) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }
        tlvs = List.copyOf(tlvs);
    }

    /** The first TLV of {@code type}, if any. */
    public Optional<ProxyTlv> tlv(int type) {
        for (ProxyTlv tlv : tlvs) {
            if (tlv.type() == type) {
                return Optional.of(tlv);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "PROXY v" + version + (local ? " LOCAL" : " " + source + " -> " + destination)
                + (tlvs.isEmpty() ? "" : " " + tlvs);
    }
}
