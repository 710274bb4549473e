package dev.zeroproxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What a source delivered before its upstream was connected, in order, and whether its end of
 * stream came too. {@code AUTO_READ} is off until then, but epoll still reads a peer's FIN and
 * the data before it (bounded by the socket's receive buffer), and a channel registered with
 * reading allowed (see {@code ProxyServer.readFromRegistration}) reads once, or twice if the
 * first read drained the socket (see {@code Pump.channelRead}), one buffer each, before Netty
 * turns its read interest off; those bytes are held here, never dropped, until someone
 * hands them on or the pair closes. Used on one event loop only.
 */
final class HeldReads {
    private final ArrayDeque<ByteBuf> buffers = new ArrayDeque<>(4);
    private boolean endOfStream;

    boolean isEmpty() {
        return buffers.isEmpty();
    }

    void add(ByteBuf buf) {
        buffers.add(buf);
    }

    void endOfStream() {
        endOfStream = true;
    }

    boolean hasEndOfStream() {
        return endOfStream;
    }

    /** Hands every held buffer, in order, to {@code out}, which takes ownership; true if there was any. */
    boolean handTo(Consumer<ByteBuf> out) {
        boolean any = !buffers.isEmpty();
        ByteBuf buf;
        while ((buf = buffers.poll()) != null) {
            out.accept(buf);
        }
        return any;
    }

    /** Releases what is still held: the pair closed before anyone could take it. */
    void release() {
        buffers.forEach(ReferenceCountUtil::release);
        buffers.clear();
    }
}
