package dev.zeroproxy.examples.forwarder;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's client: one connection that sends a {@link Payload} of a given length, half-closes,
 * and reads the {@link LoopbackSink}'s answer.
 *
 * <p>Blocking I/O on purpose: the simplest sender is the one least likely to be the
 * bottleneck or to hide a proxy bug. It is bounded by the caller, who runs it on its own
 * thread and interrupts it at the deadline; interrupting a thread blocked on a
 * {@link SocketChannel} closes the channel, so no call here can outlive the deadline for long.
 * Stateless and thread-safe.
 */
final class BulkSender {

    /**
     * What the upstream said it received.
     *
     * @param bytes the byte count
     * @param checksum the CRC32C of those bytes
     */
    record Answer(long bytes, long checksum) { }

    private BulkSender() { }

    /**
     * Sends {@code length} bytes of {@code payload} to {@code target} and returns the answer.
     *
     * @param progress set to the bytes written so far, for a progress display
     */
    static Answer send(InetSocketAddress target, Payload payload, long length, AtomicLong progress)
            throws IOException {
        try (SocketChannel channel = SocketChannel.open(target)) {
            ByteBuffer block = payload.block();
            long left = length;
            while (left > 0) {
                block.clear().limit((int) Math.min(Payload.BLOCK_SIZE, left));
                while (block.hasRemaining()) {
                    left -= channel.write(block);
                }
                progress.set(length - left);
            }
            // The half-close tells the upstream that everything is sent; its answer comes back
            // through the proxy's other direction.
            channel.shutdownOutput();
            ByteBuffer answer = ByteBuffer.allocate(LoopbackSink.ANSWER_BYTES);
            while (answer.hasRemaining()) {
                if (channel.read(answer) < 0) {
                    throw new EOFException("the connection closed after " + answer.position() + " of "
                            + LoopbackSink.ANSWER_BYTES + " answer bytes (was the half-close relayed?)");
                }
            }
            answer.flip();
            return new Answer(answer.getLong(), answer.getLong());
        }
    }
}
