package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One TLV (type, length, value) of a PROXY protocol v2 header, as accepted from a proxy or to be
 * sent to an upstream. The value is a copy: holding a {@code ProxyTlv} holds no buffer.
 *
 * @param type the type byte, 0..255 (see the constants; 0xE0..0xEF are the spec's custom range)
 * @param value the value's bytes
 */
public record ProxyTlv(int type, byte[] value) {
    /** Application-Layer Protocol Negotiation: the protocol the client negotiated, e.g. "h2". */
    public static final int ALPN = 0x01;
    /** The host name the client asked for (SNI, or the HTTP Host), UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** CRC32C of the whole header; verified when accepted, a mismatch refuses the connection. */
    public static final int CRC32C = 0x03;
    /** Ignored; padding. */
    public static final int NOOP = 0x04;
    /** An opaque id of the connection, at most 128 bytes, the same along a chain of proxies. */
    public static final int UNIQUE_ID = 0x05;
    /** TLS details (its own sub-TLVs). */
    public static final int SSL = 0x20;
    /** The network namespace's name, US-ASCII. */
    public static final int NETNS = 0x30;

    /** Checks the type's range and copies the value. */
    public ProxyTlv {
        if (type < 0 || type > 255) {
            throw InvalidSettingException.outOfRange("tlv type", type, 0, 255, "");
        }
        if (value.length > 65_535 - 3) {
            throw InvalidSettingException.outOfRange("tlv value", value.length, 0, 65_532, "bytes");
        }
        value = value.clone();
    }

    /** A TLV whose value is {@code text} in UTF-8 (AUTHORITY, UNIQUE_ID). */
    public static ProxyTlv of(int type, String text) {
        return new ProxyTlv(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value as UTF-8 text. */
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyTlv other && type == other.type && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("TLV 0x%02x (%d bytes)", type, value.length);
    }
}
