package dev.zeroproxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of a relay: the handler on its source channel, writing to its sink.
 *
 * <p>Zero-copy: the pooled direct buffer the source read is written to the sink as is; its
 * reference passes with the write and the sink releases it once sent (or on close), so this
 * class never retains, copies or releases a payload buffer itself.
 *
 * <p>Backpressure: while the sink holds more than its high water mark the source stops
 * reading ({@code AUTO_READ} off), and starts again when the sink drains below the low mark,
 * so a slow reader costs the proxy at most a water mark of memory per direction.
 *
 * <p>Half-close: the source's EOF becomes the sink's {@code shutdownOutput()}, sent only after
 * every byte before it has been flushed; the direction is then finished.
 *
 * <p>Not sharable: one instance per source channel, used only on that channel's event loop.
 */
final class Pump extends ChannelInboundHandlerAdapter implements CountingRecvByteBufAllocator.ReadCounter {
    private final Relay relay;
    private final Direction direction;
    private Channel source;
    private Channel sink;
    private boolean flushPending;
    private boolean sourceEnded;
    private boolean finished;
    private long bytesRead;
    private long bytesCopied;
    private long lastReadNanos;

    Pump(Relay relay, Direction direction) {
        this.relay = relay;
        this.direction = direction;
    }

    /** Joins the two channels once the upstream is connected, and starts reading the source. */
    void start(Channel source, Channel sink) {
        this.source = source;
        this.sink = sink;
        source.config().setAutoRead(true);
    }

    boolean isStarted() {
        return sink != null;
    }

    Direction direction() {
        return direction;
    }

    long bytesRead() {
        return bytesRead;
    }

    long bytesCopied() {
        return bytesCopied;
    }

    long lastReadNanos() {
        return lastReadNanos;
    }

    boolean isFinished() {
        return finished;
    }

    @Override
    public void bytesRead(int bytes) {
        bytesRead += bytes;
        lastReadNanos = System.nanoTime();
        relay.counters().bytesRead(direction, bytes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf) || sink == null) {
            // Reads start only after start(), and a socket channel reads only ByteBufs; anything
            // else is a bug, and is dropped rather than leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        int readable = buf.readableBytes();
        bytesCopied += readable;
        relay.counters().copied.add(readable);
        // The void promise reports a failed write as exceptionCaught on the sink's pipeline,
        // where the reverse pump aborts the relay: nothing is ignored, and no promise is
        // allocated per read.
        sink.write(buf, sink.voidPromise());
        flushPending = true;
        if (!sink.isWritable()) {
            source.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushPending) {
            flushPending = false;
            sink.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Called by the reverse pump: our sink is its source, so it hears the sink's writability. */
    void sinkWritabilityChanged() {
        if (source != null && !sourceEnded && sink.isWritable()) {
            source.config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        relay.pumpInto(ctx.channel()).sinkWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            sourceEnded();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.channelInactive(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        relay.abort(cause, ctx.channel());
    }

    /**
     * The source has no more bytes: flush everything queued for the sink, then shut the sink's
     * output so its peer reads EOF exactly after the last byte.
     */
    void sourceEnded() {
        if (sourceEnded || sink == null) {
            return;
        }
        sourceEnded = true;
        sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) this::afterLastWrite);
    }

    private void afterLastWrite(ChannelFuture written) {
        if (!written.isSuccess()) {
            relay.abort(written.cause(), sink);
            return;
        }
        ((DuplexChannel) sink).shutdownOutput().addListener(shut -> {
            if (shut.isSuccess()) {
                finish();
            } else {
                relay.abort(shut.cause(), sink);
            }
        });
    }

    /** Marks this direction done; when both are, the relay closes. */
    void finish() {
        if (!finished) {
            finished = true;
            relay.directionFinished();
        }
    }
}
