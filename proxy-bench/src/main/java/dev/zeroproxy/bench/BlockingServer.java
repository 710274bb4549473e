package dev.zeroproxy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A blocking TCP server on 127.0.0.1, port 0: one accept thread, and one pooled thread per
 * connection running {@link #serve(Socket)}. The base of the upstream peers and of the naive
 * proxy.
 *
 * <p>Worker threads are kept for the life of the server (a long keep-alive) rather than
 * started per connection: a thread that dies between two CPU samples takes its CPU time with
 * it, and {@link ThreadCpuMeter} would undercount the naive proxy.
 *
 * <p>Lifecycle: started by the subclass's factory, stopped by {@link #close()}, which closes
 * every socket so that every blocked read returns and every thread ends. Errors other than
 * I/O errors (a peer reset is normal when a trial ends) are kept and rethrown by
 * {@link #close()}. Thread-safe.
 */
abstract class BlockingServer implements AutoCloseable {
    /** Enough for every benchmark here, which keep at most a handful of connections open. */
    private static final int MAX_CONNECTIONS = 256;
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    /** Binds; call {@link #startAccepting()} once the subclass is fully constructed. */
    BlockingServer(String threadPrefix) throws IOException {
        serverSocket = new ServerSocket(0, MAX_CONNECTIONS, InetAddress.getLoopbackAddress());
        address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        // At most one thread per open connection (a SynchronousQueue never queues), each kept
        // for the whole trial; see the class comment.
        workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 10, TimeUnit.MINUTES, new SynchronousQueue<>(),
                new NamedThreadFactory(threadPrefix));
        acceptor = new NamedThreadFactory(threadPrefix + "accept-").newThread(this::acceptLoop);
    }

    /** Handles one accepted connection on a worker thread; the socket is closed afterwards. */
    abstract void serve(Socket socket) throws IOException;

    final void startAccepting() {
        acceptor.start();
    }

    /** The bound address, 127.0.0.1 and the port the OS chose. */
    final InetSocketAddress address() {
        return address;
    }

    /** The worker pool, for a subclass that needs a second thread for a connection. */
    final Executor workers() {
        return workers;
    }

    /** Has {@link #close()} close {@code socket} too (for sockets the subclass opens itself). */
    final void track(Socket socket) {
        open.add(socket);
        if (closed) {
            closeQuietly(socket);
        }
    }

    final void untrack(Socket socket) {
        open.remove(socket);
    }

    private void acceptLoop() {
        // Ends when close() closes the listening socket: accept() then throws.
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    // Not a close (file descriptors exhausted, say): retrying could spin, so stop
                    // accepting; the benchmark's next connect then fails and close() reports this.
                    failure.compareAndSet(null, e);
                }
                return;
            }
            track(socket);
            try {
                workers.execute(() -> run(socket));
            } catch (RejectedExecutionException e) {
                untrack(socket);
                closeQuietly(socket);
            }
        }
    }

    private void run(Socket socket) {
        try {
            serve(socket);
        } catch (IOException e) {
            // A reset or a socket closed by close(): how connections end when a trial stops.
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        } finally {
            untrack(socket);
            closeQuietly(socket);
        }
    }

    /**
     * Stops accepting, closes every open socket, and waits for every thread to end.
     *
     * @throws IllegalStateException if a handler failed, or a thread did not end in time
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        open.forEach(BlockingServer::closeQuietly);
        workers.shutdown();
        try {
            acceptor.join(CLOSE_TIMEOUT_MILLIS);
            if (!workers.awaitTermination(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || acceptor.isAlive()) {
                throw new IllegalStateException(getClass().getSimpleName() + " on " + address()
                        + ": threads still running " + CLOSE_TIMEOUT_MILLIS + " ms after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException(getClass().getSimpleName() + " on " + address() + " failed", failed);
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing is best effort: the socket may already be reset or closed.
        }
    }
}
