package dev.zeroproxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Client addresses for picks; built from bytes, so no name is ever looked up. */
final class Clients {
    /** Any client, for balancers that ignore the address. */
    static final InetSocketAddress ANY = client(127, 0, 0, 1, 40000);

    private Clients() {
    }

    static InetSocketAddress client(int a, int b, int c, int d, int port) {
        try {
            return new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only for a byte array of the wrong length
        }
    }

    /** The {@code i}-th of up to 2^24 distinct addresses in 127/8, port fixed. */
    static InetSocketAddress numbered(int i) {
        return client(127, (i >>> 16) & 0xFF, (i >>> 8) & 0xFF, i & 0xFF, 50000);
    }
}
