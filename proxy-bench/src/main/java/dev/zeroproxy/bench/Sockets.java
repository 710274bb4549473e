package dev.zeroproxy.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The benchmarks' client side: connecting with the same options everywhere, and exact reads. */
final class Sockets {
    /** Loopback connects take microseconds; a connect this slow means the path is broken. */
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /**
     * Bounds every read, so a path that loses bytes fails the benchmark with a timeout instead
     * of hanging the fork until JMH's own (10-minute) timeout.
     */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private Sockets() { }

    /** A connected socket with {@code TCP_NODELAY} (round trips of a few bytes must not wait for Nagle). */
    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Reads exactly {@code length} bytes into {@code buffer}.
     *
     * @throws EOFException if the stream ends first
     */
    static void readFully(InputStream in, byte[] buffer, int length) throws IOException {
        int done = 0;
        // Bounded: each read returns at least one byte, or ends the loop by EOF or timeout.
        while (done < length) {
            int n = in.read(buffer, done, length - done);
            if (n == -1) {
                throw new EOFException("stream ended after " + done + " of " + length + " bytes");
            }
            done += n;
        }
    }

    /** Writes {@code value} big-endian into {@code buffer[0..8)}. */
    static void putLong(byte[] buffer, long value) {
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            buffer[i] = (byte) value;
            value >>>= 8;
        }
    }

    /** Reads a big-endian long from {@code buffer[0..8)}. */
    static long getLong(byte[] buffer) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (buffer[i] & 0xff);
        }
        return value;
    }
}
