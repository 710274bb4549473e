package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The baseline a zero-copy proxy has to beat: the proxy everyone writes first. A thread per
 * direction runs the classic {@code out.write(buf, 0, in.read(buf))} loop through a heap
 * {@code byte[]}, so every byte crosses from the kernel into a native buffer, into the Java
 * heap, back into a native buffer and into the kernel again. An EOF on one side becomes a
 * {@code shutdownOutput()} on the other (half-close), so request-then-response exchanges such
 * as the sink's count finish; an error on either side closes both.
 *
 * <p>It is naive in its architecture only, not handicapped: 64 KiB buffers (the most a socket
 * read returns on loopback here) and {@code TCP_NODELAY}, so the comparison is about copying
 * and threads, not about small reads or Nagle.
 *
 * <p>Threads are named {@code naive-proxy-*}, which is how {@link ThreadCpuMeter} finds them.
 * Started with {@link #start(InetSocketAddress)}, stopped with {@link #close()}; thread-safe.
 */
final class NaiveProxy extends BlockingServer {
    /** Every thread of a naive proxy has a name starting with this. */
    static final String THREAD_PREFIX = "naive-proxy-";
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Like a real proxy's idle timeout: bounds every blocked read, so no thread waits forever. */
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;

    private final InetSocketAddress upstream;

    private NaiveProxy(InetSocketAddress upstream) throws IOException {
        super(THREAD_PREFIX);
        this.upstream = upstream;
    }

    /** Binds 127.0.0.1, port 0, and relays every accepted connection to {@code upstream}. */
    static NaiveProxy start(InetSocketAddress upstream) throws IOException {
        NaiveProxy proxy = new NaiveProxy(upstream);
        proxy.startAccepting();
        return proxy;
    }

    /** Runs client-to-upstream on this thread and upstream-to-client on another, until both end. */
    @Override
    void serve(Socket client) throws IOException {
        Socket server = new Socket();
        track(server);
        try {
            configure(client);
            configure(server);
            server.connect(upstream, CONNECT_TIMEOUT_MILLIS);
            CountDownLatch reverseDone = new CountDownLatch(1);
            try {
                workers().execute(() -> {
                    try {
                        relay(server, client);
                    } finally {
                        reverseDone.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                throw new IOException("no thread left for the upstream-to-client direction", e);
            }
            relay(client, server);
            // The reverse direction ends at the upstream's EOF, an error, or the idle timeout.
            if (!reverseDone.await(IDLE_TIMEOUT_MILLIS + CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                closeQuietly(client);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            untrack(server);
            closeQuietly(server);
        }
    }

    private static void configure(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
    }

    /**
     * Copies {@code from} to {@code to} until EOF, then half-closes {@code to}. On an error it
     * closes both sockets, which also ends the other direction's blocked read.
     */
    private static void relay(Socket from, Socket to) {
        // A fresh heap buffer per direction and connection, as the classic proxy has.
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            // Ends at EOF, or by an exception when a socket is reset, closed or idle too long.
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }
}
