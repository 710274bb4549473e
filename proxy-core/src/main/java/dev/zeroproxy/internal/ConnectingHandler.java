package dev.zeroproxy.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The handler of an upstream channel while it connects: the {@link UpstreamConnector} learns
 * the outcome from the connect's future, and the relay replaces this with its {@link Pump} as
 * soon as the connect succeeds, on the same event loop turn, before the channel can read.
 * Errors and reads meanwhile are the connect's business, not the pipeline's: they are dropped
 * here rather than reaching Netty's tail handler, which would log them.
 */
@ChannelHandler.Sharable
final class ConnectingHandler extends ChannelInboundHandlerAdapter {
    static final ConnectingHandler INSTANCE = new ConnectingHandler();

    private ConnectingHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Cannot happen (reads start only after the hand-over). Should it, the byte is not
        // silently dropped from a stream that goes on: the channel is closed, and the connection
        // with it.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The connect's future carries the failure to the connector.
    }
}
