package dev.zeroproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many client connections driven from one thread with one selector, for the tests that hold
 * thousands of pairs open through the proxy: open them all, leave them idle, then send each its
 * own random payload, half-close, and check every echo byte for byte.
 */
public final class ConnectionCrowd implements AutoCloseable {
    private final List<SocketChannel> channels = new ArrayList<>();

    private ConnectionCrowd() { }

    /** Opens {@code count} connections to {@code address}, one after the other. */
    public static ConnectionCrowd open(InetSocketAddress address, int count) throws IOException {
        ConnectionCrowd crowd = new ConnectionCrowd();
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(address);
                crowd.channels.add(channel);
                channel.configureBlocking(false);
            }
        } catch (IOException e) {
            crowd.close();
            throw e;
        }
        return crowd;
    }

    /** How many connections are open. */
    public int size() {
        return channels.size();
    }

    /** One connection's exchange. */
    private static final class Exchange {
        final int index;
        final byte[] sent;
        final ByteBuffer out;
        final ByteArrayOutputStream echoed = new ByteArrayOutputStream();

        Exchange(int index, byte[] sent) {
            this.index = index;
            this.sent = sent;
            this.out = ByteBuffer.wrap(sent);
        }
    }

    /**
     * Sends each connection {@code bytesEach} random bytes of seed {@code seedBase + index} and
     * reads their echo; with {@code endStreams}, each also shuts its output and its echo must end
     * with EOF right after the last byte. Fails naming the first connection whose echo differs,
     * ended early, or was not complete within {@code timeout}.
     */
    public void echoAll(long seedBase, int bytesEach, boolean endStreams, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int left = channels.size();
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < channels.size(); i++) {
                Exchange exchange = new Exchange(i, Payload.bytes(seedBase + i, bytesEach));
                channels.get(i).register(selector, SelectionKey.OP_WRITE | SelectionKey.OP_READ, exchange);
            }
            while (left > 0) {
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    throw new AssertionError(left + " of " + channels.size() + " echoes not complete within " + timeout);
                }
                selector.select(leftMillis);
                for (SelectionKey key : selector.selectedKeys()) {
                    Exchange exchange = (Exchange) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (key.isValid() && key.isWritable()) {
                        channel.write(exchange.out);
                        if (!exchange.out.hasRemaining()) {
                            if (endStreams) {
                                channel.shutdownOutput();
                            }
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isValid() && key.isReadable() && readSome(channel, exchange, in, endStreams)) {
                        key.cancel();
                        left--;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    /** Reads what is there; true once the echo is complete (and, with {@code endStreams}, ended) and checked. */
    private static boolean readSome(SocketChannel channel, Exchange exchange, ByteBuffer in, boolean endStreams)
            throws IOException {
        in.clear();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException reset) {
            throw new AssertionError("connection " + exchange.index + " was reset after "
                    + exchange.echoed.size() + " of " + exchange.sent.length + " B", reset);
        }
        if (n > 0) {
            exchange.echoed.write(in.array(), 0, n);
        }
        boolean complete = endStreams ? n < 0 : exchange.echoed.size() >= exchange.sent.length;
        if (!complete) {
            if (n < 0) {
                throw new AssertionError("connection " + exchange.index + " ended after " + exchange.echoed.size()
                        + " of " + exchange.sent.length + " B");
            }
            return false;
        }
        byte[] got = exchange.echoed.toByteArray();
        if (!Arrays.equals(exchange.sent, got)) {
            throw new AssertionError("connection " + exchange.index + " echoed " + got.length + " B that differ from the "
                    + exchange.sent.length + " B sent");
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }
}
