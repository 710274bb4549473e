package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * The upstream of {@link BulkTransferBenchmark}: reads and counts every byte of a connection
 * until its EOF, then replies with the count as an 8-byte big-endian {@code long} and closes.
 * The reply both proves the path delivered every byte and tells the client the transfer is
 * over end to end, not merely handed to its own send buffer.
 *
 * <p>Threads are named {@code upstream-sink-*}, so their CPU time is never taken for the
 * proxy's. Started with {@link #start()}, stopped with {@link #close()}; thread-safe.
 */
final class SinkServer extends BlockingServer {
    private static final int BUFFER_SIZE = 64 * 1024;

    /**
     * One read buffer per worker thread, reused across connections, so the sink allocates
     * nothing per operation and {@code -prof gc} shows the client's and the proxy's allocation.
     */
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);

    private SinkServer() throws IOException {
        super("upstream-sink-");
    }

    /** Binds 127.0.0.1, port 0, and starts accepting. */
    static SinkServer start() throws IOException {
        SinkServer server = new SinkServer();
        server.startAccepting();
        return server;
    }

    @Override
    void serve(Socket socket) throws IOException {
        byte[] buffer = buffers.get();
        InputStream in = socket.getInputStream();
        long count = 0;
        // Ends at the client's EOF, or when close() closes the socket.
        for (int n; (n = in.read(buffer)) != -1; ) {
            count += n;
        }
        Sockets.putLong(buffer, count);
        socket.getOutputStream().write(buffer, 0, Long.BYTES);
    }
}
