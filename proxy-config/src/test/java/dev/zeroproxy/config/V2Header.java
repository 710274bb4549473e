package dev.zeroproxy.config;

import dev.zeroproxy.testkit.LoopbackServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;

/**
 * What a PROXY protocol v2 header said, read from the specification (haproxy's
 * {@code doc/proxy-protocol.txt}) independently of the code under test: the command and, for a
 * TCP connection, the client and the address it connected to.
 *
 * @param local the LOCAL command (a health check's own connection): no addresses
 * @param source the client; null for LOCAL
 * @param destination where the client connected; null for LOCAL
 */
record V2Header(boolean local, InetSocketAddress source, InetSocketAddress destination) {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Reads one header (TLVs skipped). */
    static V2Header read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] signature = new byte[12];
        data.readFully(signature);
        if (!Arrays.equals(SIGNATURE, signature)) {
            throw new IOException("not a PROXY v2 signature: " + Arrays.toString(signature));
        }
        int versionCommand = data.readUnsignedByte();
        if (versionCommand >> 4 != 2) {
            throw new IOException("version " + (versionCommand >> 4) + " (expected: 2)");
        }
        int familyProtocol = data.readUnsignedByte();
        byte[] body = new byte[data.readUnsignedShort()];
        data.readFully(body);
        if ((versionCommand & 0x0F) == 0) {
            return new V2Header(true, null, null);
        }
        int size = switch (familyProtocol) {
            case 0x11 -> 4;
            case 0x21 -> 16;
            default -> throw new IOException("family/protocol 0x" + Integer.toHexString(familyProtocol)
                    + " (expected: TCP over IPv4 or IPv6)");
        };
        InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(body, 0, size));
        InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(body, size, 2 * size));
        int sourcePort = (body[2 * size] & 0xFF) << 8 | body[2 * size + 1] & 0xFF;
        int destinationPort = (body[2 * size + 2] & 0xFF) << 8 | body[2 * size + 3] & 0xFF;
        return new V2Header(false, new InetSocketAddress(source, sourcePort),
                new InetSocketAddress(destination, destinationPort));
    }

    /**
     * A server that reads each connection's v2 header, queues it, writes {@code tag} and echoes
     * (as a {@link dev.zeroproxy.testkit.TaggedServer} does). A connection that ends before any
     * byte (a health check's connect), or says LOCAL, is let go without a tag.
     */
    static LoopbackServer server(int tag, BlockingQueue<V2Header> headers) throws IOException {
        return LoopbackServer.start(socket -> {
            PushbackInputStream in = new PushbackInputStream(socket.getInputStream());
            int first;
            try {
                first = in.read();
            } catch (IOException reset) {
                return;
            }
            if (first < 0) {
                return;
            }
            in.unread(first);
            V2Header header = read(in);
            if (header.local()) {
                return;
            }
            headers.add(header);
            socket.getOutputStream().write(tag);
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                socket.getOutputStream().write(buf, 0, n);
            }
            socket.shutdownOutput();
        });
    }
}
