package dev.zeroproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain blocking TCP server on 127.0.0.1, port 0, one thread per connection: the upstream
 * peer of the relay tests. Deliberately not built on Netty, so a bug in the code under test
 * cannot hide in the peer as well.
 *
 * <p>Errors in a handler are kept and rethrown by {@link #close()}, so a failing peer fails the
 * test.
 */
public final class LoopbackServer implements AutoCloseable {

    /** What the server does with each accepted connection. */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket serverSocket;
    private final Handler handler;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    private LoopbackServer(Handler handler, int backlog) throws IOException {
        this.handler = handler;
        this.serverSocket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "loopback-server-" + serverSocket.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** Starts a server that runs {@code handler} for every connection. */
    public static LoopbackServer start(Handler handler) throws IOException {
        LoopbackServer server = new LoopbackServer(handler, 200);
        server.acceptor.start();
        return server;
    }

    /**
     * A server that echoes every byte back and half-closes after its client's EOF. It writes back
     * each read whole, up to 64 KiB ({@code transferTo} would cut it into 8 KiB writes), so that
     * a bulk exchange through it is bulk both ways: {@code Forwarding.AUTO} switches a direction
     * only on a large read.
     */
    public static LoopbackServer echo() throws IOException {
        return start(LoopbackServer::echoUntilEof);
    }

    /** The echo's handler: writes back each read whole (up to 64 KiB), then half-closes after the peer's EOF. */
    public static void echoUntilEof(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
        socket.shutdownOutput();
    }

    /**
     * A listening socket that never accepts, with a backlog of one: once its accept queue is
     * full the kernel drops further SYNs, so a connect to it times out — locally, without any
     * outside address.
     */
    public static LoopbackServer neverAccepting() throws IOException {
        return new LoopbackServer(socket -> { }, 1);
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(socket);
            Thread worker = new Thread(() -> {
                try (socket) {
                    handler.handle(socket);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "loopback-peer-" + socket.getPort());
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Errors handlers have thrown so far. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** Closes the listener and every accepted socket; throws the first handler error, if any. */
    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        Throwable first = failures.peek();
        if (first != null) {
            throw new AssertionError("upstream peer failed: " + first, first);
        }
    }
}
