package dev.zeroproxy.epoll;

import dev.zeroproxy.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;

/**
 * Kernel splice between two epoll channels, made byte-exact at end of stream.
 *
 * <p>The moving part is Netty's {@code spliceTo} (socket to a per-target pipe to socket, its
 * writes queued in the target's outbound buffer in order with ordinary writes), with the pipe
 * sized by {@link SplicePipes} rather than left at the system default. Its flaw: on
 * RDHUP it does one splice pass and shuts the input down while bytes may still sit in the
 * socket's receive queue. {@code shutdown(SHUT_RD)} does not discard that queue, so
 * {@link #drainAfterEndOfStream} reads it out through the descriptor; TCP delivers the FIN after
 * every byte before it, so what it reads is exactly the rest of the stream.
 */
final class EpollSplicer implements Transport.Splicer {
    /** Bytes per drain read. */
    private static final int DRAIN_CHUNK = 64 * 1024;

    @Override
    @SuppressWarnings("deprecation") // spliceTo is deprecated in Netty 4.2; it stays behind this class.
    public ChannelFuture start(Channel source, Channel sink) {
        return ((AbstractEpollStreamChannel) source).spliceTo((AbstractEpollStreamChannel) sink, Integer.MAX_VALUE);
    }

    @Override
    public void preparePipe(Channel sink, int pipeSize) {
        SplicePipes.install((AbstractEpollStreamChannel) sink, pipeSize, PipeBudget.PROCESS);
    }

    /**
     * Netty 4.2.18's splice-in pass ({@code AbstractEpollStreamChannel.SpliceInTask.spliceIn})
     * calls splice() until it returns 0 and only then queues the splice-out of what the pass
     * moved; when a later call of the pass fails (the source was reset), the bytes the earlier
     * calls moved stay in the target's pipe with no splice-out queued, delivered by nobody. A
     * peer reset after a cut must still get them first, so they are moved here.
     */
    @Override
    public int salvage(Channel sink) throws IOException {
        AbstractEpollStreamChannel target = (AbstractEpollStreamChannel) sink;
        FileDescriptor pipeIn = SplicePipes.pipeIn(target);
        if (pipeIn == null || !pipeIn.isOpen() || !sink.isOpen()) {
            return 0;
        }
        int socket = target.fd().intValue();
        int moved = 0;
        int n;
        // Non-blocking: 0 once the pipe is empty or the socket full (Native.splice maps EAGAIN to 0).
        while ((n = Native.splice(pipeIn.intValue(), -1, socket, -1, Integer.MAX_VALUE)) > 0) {
            moved += n;
        }
        return moved;
    }

    @Override
    public int drainAfterEndOfStream(Channel source, Consumer<ByteBuf> out) throws IOException {
        if (!source.isOpen()) {
            // Netty's FileDescriptor.read does not check that the descriptor is still open, and a
            // closed descriptor's number is reused by the next socket opened on any thread: reading
            // it would take that connection's bytes. (Checked on the channel's own event loop, the
            // only thread that closes it.)
            throw new ClosedChannelException();
        }
        FileDescriptor fd = ((AbstractEpollStreamChannel) source).fd();
        ByteBuf buf = source.alloc().directBuffer(DRAIN_CHUNK);
        int n;
        try {
            ByteBuffer target = buf.internalNioBuffer(buf.writerIndex(), buf.writableBytes());
            n = fd.read(target, target.position(), target.limit());
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        // -1 is the end of stream; 0 (EAGAIN) cannot follow a FIN, and is taken as the end
        // rather than waited for.
        if (n <= 0) {
            buf.release();
            return -1;
        }
        buf.writerIndex(buf.writerIndex() + n);
        out.accept(buf);
        return n;
    }
}
