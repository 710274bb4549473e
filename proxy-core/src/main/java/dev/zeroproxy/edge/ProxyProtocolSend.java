package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;
import java.util.List;
import java.util.Objects;

/**
 * A PROXY protocol header sent to an upstream ahead of the client's bytes, so that the server
 * learns the real client: the socket peer, or, when a header was accepted from a trusted proxy,
 * what that header said. The header goes out in the same write as the first bytes of the client
 * where the client sent any before the upstream connected.
 *
 * <pre>{@code
 * Proxy.builder().sendProxyProtocol(ProxyProtocolSend.v2().withCrc32c().with(ProxyTlv.of(ProxyTlv.AUTHORITY, "db.internal")))
 * }</pre>
 *
 * <p>v2 carries TLVs: those an accepted header had are passed on (unless {@link #withoutPassedTlvs()}),
 * then the ones added here; a CRC32C TLV, if asked for, comes last and covers the whole header.
 * v1 carries none. Immutable and thread-safe.
 *
 * @param version 1 (text) or 2 (binary)
 * @param crc32c whether a v2 header carries a CRC32C TLV
 * @param passTlvs whether an accepted header's TLVs are passed on (v2; the accepted CRC32C never is)
 * @param added TLVs added to every header (v2)
 */
public record ProxyProtocolSend(int version, boolean crc32c, boolean passTlvs, List<ProxyTlv> added) {

    /** Checks the version and copies the TLVs. */
    public ProxyProtocolSend {
        if (version != 1 && version != 2) {
            throw new InvalidSettingException("sendProxyProtocol.version", version, "1 or 2");
        }
        added = List.copyOf(Objects.requireNonNull(added, "added"));
        if (version == 1 && (crc32c || !added.isEmpty())) {
            throw InvalidSettingException.notHere("sendProxyProtocol.version", version, "PROXY v1 carries no TLV",
                    "v2 for CRC32C or TLVs", null);
        }
    }

    /** A v1 (text) header, as HAProxy's {@code send-proxy}. */
    public static ProxyProtocolSend v1() {
        return new ProxyProtocolSend(1, false, false, List.of());
    }

    /** A v2 (binary) header, as HAProxy's {@code send-proxy-v2}, passing an accepted header's TLVs on. */
    public static ProxyProtocolSend v2() {
        return new ProxyProtocolSend(2, false, true, List.of());
    }

    /** This v2 header with a CRC32C TLV. */
    public ProxyProtocolSend withCrc32c() {
        return new ProxyProtocolSend(version, true, passTlvs, added);
    }

    /** This v2 header without the TLVs of an accepted header. */
    public ProxyProtocolSend withoutPassedTlvs() {
        return new ProxyProtocolSend(version, crc32c, false, added);
    }

    /** This v2 header with {@code tlv} added. */
    public ProxyProtocolSend with(ProxyTlv tlv) {
        List<ProxyTlv> more = new java.util.ArrayList<>(added);
        more.add(Objects.requireNonNull(tlv, "tlv"));
        return new ProxyProtocolSend(version, crc32c, passTlvs, more);
    }

    /**
     * A {@code LOCAL} header of this version, for a health check to send to a server that
     * requires one ({@code HealthCheck.builder().send(ProxyProtocolSend.v2().localHeader())}): v2's
     * 16 bytes with command LOCAL and no address, or v1's {@code "PROXY UNKNOWN\r\n"}.
     */
    public byte[] localHeader() {
        if (version == 1) {
            return "PROXY UNKNOWN\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};
    }

    @Override
    public String toString() {
        return "send PROXY v" + version + (crc32c ? " with CRC32C" : "") + (added.isEmpty() ? "" : " + " + added);
    }
}
