package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * An upstream that writes back every byte it reads, then closes: at its client's EOF, or —
 * with a limit — as soon as it has echoed that many bytes.
 *
 * <p>The limit exists for {@link ConnectionSetupBenchmark}: when the server closes first, the
 * TIME_WAIT state lands on server-side sockets (the echo's and the proxy's accepted ones),
 * whose local port is a listening port, never on the client's or the proxy's ephemeral ports,
 * so a long run cannot exhaust them.
 *
 * <p>Threads are named {@code upstream-echo-*}. Started with {@link #start(long)}, stopped with
 * {@link #close()}; thread-safe.
 */
final class EchoServer extends BlockingServer {
    /** No limit: echo until the client's EOF. */
    static final long UNLIMITED = Long.MAX_VALUE;
    private static final int BUFFER_SIZE = 16 * 1024;

    /** Reused per worker thread, so the echo allocates nothing per connection. */
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);
    private final long closeAfterBytes;

    private EchoServer(long closeAfterBytes) throws IOException {
        super("upstream-echo-");
        this.closeAfterBytes = closeAfterBytes;
    }

    /**
     * Binds 127.0.0.1, port 0, and starts accepting.
     *
     * @param closeAfterBytes close each connection once this many bytes were echoed
     *     ({@link #UNLIMITED}: at the client's EOF)
     */
    static EchoServer start(long closeAfterBytes) throws IOException {
        if (closeAfterBytes <= 0) {
            throw new IllegalArgumentException("closeAfterBytes: " + closeAfterBytes + " (expected: > 0)");
        }
        EchoServer server = new EchoServer(closeAfterBytes);
        server.startAccepting();
        return server;
    }

    @Override
    void serve(Socket socket) throws IOException {
        // Round trips of a few bytes: Nagle would hold a reply back for the client's delayed ACK.
        socket.setTcpNoDelay(true);
        byte[] buffer = buffers.get();
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        long left = closeAfterBytes;
        // Ends at the client's EOF, at the limit, or when close() closes the socket.
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n == -1) {
                return;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }
}
