package dev.zeroproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * PROXY protocol headers as a proxy in front would send them, written from the spec
 * (haproxy's {@code doc/proxy-protocol.txt}) independently of the code under test, for tests.
 */
public final class ProxyHeaders {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaders() { }

    /** A v1 header for a TCP connection from {@code source} to {@code destination} (both IPv4 or both IPv6). */
    public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
        String family = source.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
        return ("PROXY " + family + " " + source.getAddress().getHostAddress() + " "
                + destination.getAddress().getHostAddress() + " " + source.getPort() + " " + destination.getPort()
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header for an IPv4 TCP connection, with TLVs ({@code type, value} pairs) and an optional CRC32C. */
    public static byte[] v2(InetSocketAddress source, InetSocketAddress destination, boolean crc32c, Object... tlvs) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(source.getAddress().getAddress());
        body.writeBytes(destination.getAddress().getAddress());
        body.write(source.getPort() >> 8);
        body.write(source.getPort());
        body.write(destination.getPort() >> 8);
        body.write(destination.getPort());
        for (int i = 0; i < tlvs.length; i += 2) {
            tlv(body, (Integer) tlvs[i], (byte[]) tlvs[i + 1]);
        }
        if (crc32c) {
            tlv(body, 0x03, new byte[4]);
        }
        byte[] header = header(0x21, 0x11, body.toByteArray());
        if (crc32c) {
            CRC32C crc = new CRC32C();
            crc.update(header);
            long value = crc.getValue();
            int at = header.length - 4;
            header[at] = (byte) (value >> 24);
            header[at + 1] = (byte) (value >> 16);
            header[at + 2] = (byte) (value >> 8);
            header[at + 3] = (byte) value;
        }
        return header;
    }

    /** A v2 {@code LOCAL} header (the proxy's own connection), no addresses. */
    public static byte[] v2Local() {
        return header(0x20, 0x00, new byte[0]);
    }

    private static byte[] header(int versionCommand, int familyProtocol, byte[] body) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(V2_SIGNATURE);
        header.write(versionCommand);
        header.write(familyProtocol);
        header.write(body.length >> 8);
        header.write(body.length);
        header.writeBytes(body);
        return header.toByteArray();
    }

    private static void tlv(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** {@code a} then {@code b}. */
    public static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
