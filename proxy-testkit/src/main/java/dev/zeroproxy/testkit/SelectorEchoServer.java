package dev.zeroproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An echo upstream for thousands of connections on one thread: non-blocking, one selector,
 * echoing every byte back and shutting its output after its client's EOF. Unlike
 * {@link LoopbackServer} it does not cost a thread per connection. Plain JDK NIO, no Netty, so a
 * bug in the code under test cannot hide in the peer as well.
 */
public final class SelectorEchoServer implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Thread loop;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closing;

    private SelectorEchoServer() throws IOException {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        listener.configureBlocking(false);
        selector = Selector.open();
        listener.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "selector-echo-" + listener.socket().getLocalPort());
        loop.setDaemon(true);
    }

    /** Starts a server on 127.0.0.1, port 0. */
    public static SelectorEchoServer start() throws IOException {
        SelectorEchoServer server = new SelectorEchoServer();
        server.loop.start();
        return server;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.socket().getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** What one connection still has to echo. */
    private static final class Echo {
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
        boolean inputEnded;
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        try {
            while (!closing) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                        continue;
                    }
                    SocketChannel channel = (SocketChannel) key.channel();
                    Echo echo = (Echo) key.attachment();
                    try {
                        if (key.isReadable()) {
                            in.clear();
                            int n = channel.read(in);
                            if (n < 0) {
                                echo.inputEnded = true;
                            } else if (n > 0) {
                                echo.pending.add(ByteBuffer.wrap(Arrays.copyOf(in.array(), n)));
                            }
                        }
                        flush(channel, echo);
                        key.interestOps((echo.inputEnded ? 0 : SelectionKey.OP_READ)
                                | (echo.pending.isEmpty() ? 0 : SelectionKey.OP_WRITE));
                        if (echo.inputEnded && echo.pending.isEmpty()) {
                            channel.shutdownOutput();
                            if (key.interestOps() == 0) {
                                key.cancel();
                                channel.close();
                            }
                        }
                    } catch (IOException reset) {
                        // A peer that resets is the test's business; this one just lets it go.
                        key.cancel();
                        channel.close();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            failure.set(e);
        }
    }

    private void acceptAll() throws IOException {
        SocketChannel accepted;
        while ((accepted = listener.accept()) != null) {
            accepted.configureBlocking(false);
            accepted.register(selector, SelectionKey.OP_READ, new Echo());
            this.accepted.incrementAndGet();
        }
    }

    private static void flush(SocketChannel channel, Echo echo) throws IOException {
        while (!echo.pending.isEmpty()) {
            ByteBuffer next = echo.pending.peek();
            channel.write(next);
            if (next.hasRemaining()) {
                return;
            }
            echo.pending.poll();
        }
    }

    /** Stops the loop and closes every connection; throws the loop's own failure, if it had one. */
    @Override
    public void close() throws IOException {
        closing = true;
        selector.wakeup();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
        listener.close();
        Throwable failed = failure.get();
        if (failed != null) {
            throw new AssertionError("echo server failed: " + failed, failed);
        }
    }
}
