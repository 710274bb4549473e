package dev.zeroproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of a proxied connection driven step by step by a test: a non-blocking socket with
 * its own selector, so that every write reports exactly how many bytes the kernel took, a
 * stalled path is seen as "no progress for a while" rather than a thread stuck in
 * {@code write()}, and a read ends at EOF, at a reset, or at a deadline. Used from one thread
 * at a time.
 */
public final class ScriptedPeer implements AutoCloseable {

    /** How a read to the end finished. */
    public enum End { EOF, RESET, TIMEOUT }

    /** What {@link #readToEnd} got: the bytes, how they ended, and when. */
    public record Observed(byte[] bytes, End end, long endNanos) { }

    private final SocketChannel channel;
    private final Selector selector;
    private final AtomicLong received = new AtomicLong();

    /** Takes over a connected channel. */
    public ScriptedPeer(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.selector = Selector.open();
    }

    /** Writes {@code stream[from, to)} completely; fails if the path stalls for {@code patience}. */
    public void send(byte[] stream, int from, int to, Duration patience) throws IOException {
        int sent = sendUntilStalled(stream, from, to, patience);
        if (sent < to) {
            throw new IOException("path stalled after " + sent + " of " + to + " bytes");
        }
    }

    /**
     * Writes {@code stream[from, to)} until done or until the kernel has taken nothing for
     * {@code stall}; returns the end offset of what the kernel took.
     */
    public int sendUntilStalled(byte[] stream, int from, int to, Duration stall) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(stream, from, to - from);
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0 && selector.select(stall.toMillis()) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
            }
        } finally {
            key.interestOps(0);
        }
        return out.position();
    }

    /** Reads exactly {@code n} bytes (within {@code timeout}), failing at an early end. */
    public byte[] readExactly(int n, Duration timeout) throws IOException {
        Observed got = read(n, timeout);
        if (got.bytes().length < n) {
            throw new IOException("expected " + n + " bytes, got " + got.bytes().length + " then " + got.end());
        }
        return got.bytes();
    }

    /** Reads until EOF or a reset; gives up at {@code timeout}. */
    public Observed readToEnd(Duration timeout) throws IOException {
        return read(Integer.MAX_VALUE, timeout);
    }

    /**
     * Reads until {@code most} bytes, EOF, a reset or {@code timeout}, whichever comes first:
     * for a test that must tell "answered" from "cut" from "not served yet". Having read
     * {@code most} bytes it reports {@link End#EOF}, as {@link #readToEnd} does at the end:
     * the byte count tells the two apart.
     */
    public Observed readUpTo(int most, Duration timeout) throws IOException {
        return read(most, timeout);
    }

    /** Bytes read so far; safe to call from another thread. */
    public long received() {
        return received.get();
    }

    private Observed read(int most, Duration timeout) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long deadline = System.nanoTime() + timeout.toNanos();
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        try {
            while (got.size() < most) {
                in.clear().limit(Math.min(in.capacity(), most - got.size()));
                int n;
                try {
                    n = channel.read(in);
                } catch (IOException reset) {
                    // "Connection reset" (ECONNRESET) or "Broken pipe": the stream was cut.
                    return new Observed(got.toByteArray(), End.RESET, System.nanoTime());
                }
                if (n < 0) {
                    return new Observed(got.toByteArray(), End.EOF, System.nanoTime());
                }
                if (n > 0) {
                    got.write(in.array(), 0, n);
                    received.addAndGet(n);
                    continue;
                }
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    return new Observed(got.toByteArray(), End.TIMEOUT, System.nanoTime());
                }
                selector.select(leftMillis);
                selector.selectedKeys().clear();
            }
            return new Observed(got.toByteArray(), End.EOF, System.nanoTime());
        } finally {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
    }

    /** Sends a FIN after everything written so far. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Closes with {@code SO_LINGER} 0: the kernel sends a reset and drops anything unsent. */
    public void reset() throws IOException {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        close();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
