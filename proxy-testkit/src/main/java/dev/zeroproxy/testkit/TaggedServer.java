package dev.zeroproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One server of an upstream group under test, on 127.0.0.1: it writes its one-byte tag as soon
 * as it accepts a connection, so that a client learns which server it reached, then echoes
 * everything and half-closes after its client's EOF. Its listener can be stopped and started
 * again on the same port while the connections it accepted go on, like a server process that
 * stops accepting (or restarts) with sessions still open. Counts what it accepted and received.
 * Plain blocking {@code java.net}, one thread per connection, as {@link LoopbackServer}.
 */
public final class TaggedServer implements AutoCloseable {
    private static final long REBIND_PATIENCE_MILLIS = 5_000;

    private final byte tag;
    private final int port;
    private volatile ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    private TaggedServer(byte tag) throws IOException {
        this.tag = tag;
        this.listener = bind(0);
        this.port = listener.getLocalPort();
        startAccepting(listener);
    }

    /** Starts a server that answers every connection with {@code tag} first. */
    public static TaggedServer start(int tag) throws IOException {
        return new TaggedServer((byte) tag);
    }

    /** The server's tag. */
    public int tag() {
        return tag;
    }

    /** Where it listens (when it does). */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Bytes received from all connections so far. */
    public long received() {
        return received.get();
    }

    /** Closes the listening socket: connects to the port are refused; open connections go on. */
    public synchronized void stopListening() throws IOException {
        listener.close();
    }

    /**
     * Listens again on the same port. The port came from the ephemeral range, so while it was
     * free the kernel may have given it to an outgoing connection as its source port (the
     * proxy's, a client's), which keeps the port taken until that connection ends: the bind is
     * tried again for up to {@link #REBIND_PATIENCE_MILLIS}.
     */
    public synchronized void startListening() throws IOException {
        if (!listener.isClosed()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REBIND_PATIENCE_MILLIS);
        while (true) {
            try {
                listener = bind(port);
                break;
            } catch (BindException taken) {
                if (System.nanoTime() - deadline > 0) {
                    throw taken;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        startAccepting(listener);
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        return socket;
    }

    private void startAccepting(ServerSocket socket) {
        Thread acceptor = new Thread(() -> acceptLoop(socket), "tagged-server-" + tag);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            sockets.add(connection);
            Thread worker = new Thread(() -> serve(connection), "tagged-peer-" + tag + "-" + connection.getPort());
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            OutputStream out = connection.getOutputStream();
            out.write(tag);
            InputStream in = connection.getInputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                received.addAndGet(n);
                out.write(buf, 0, n);
            }
            connection.shutdownOutput();
        } catch (IOException e) {
            // A reset by the proxy (a cut connection) is part of some tests; others check what
            // their clients got. Only a failure nobody caused counts: kept for close().
            if (!(e instanceof java.net.SocketException)) {
                failures.add(e);
            }
        } finally {
            open.decrementAndGet();
            sockets.remove(connection);
        }
    }

    /** Closes the listener and every open connection; throws the first unexpected error, if any. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        Throwable first = failures.peek();
        if (first != null) {
            throw new AssertionError("tagged server " + tag + " failed: " + first, first);
        }
    }
}
