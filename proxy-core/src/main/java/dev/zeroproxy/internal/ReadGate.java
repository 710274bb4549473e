package dev.zeroproxy.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.util.function.BooleanSupplier;

/**
 * Keeps a paused or rate-limited source from being read: it drops the channel's read requests
 * while {@code holding} says so. Turning {@code AUTO_READ} off is not enough on its own: Netty's
 * epoll splice turns it back on by itself when a splice-out that found the sink full completes
 * ({@code AbstractEpollStreamChannel.SpliceOutTask.spliceOut}), and that turning-on issues its
 * read request through the pipeline, where this handler stops it. Installed on the source's
 * pipeline the first time a connection is held back, so a connection never paused or limited
 * has no such handler and pays nothing for it. The pump reads again itself when released
 * ({@link Pump#readAgain()}).
 */
final class ReadGate extends ChannelOutboundHandlerAdapter {
    private final BooleanSupplier holding;

    ReadGate(BooleanSupplier holding) {
        this.holding = holding;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!holding.getAsBoolean()) {
            ctx.read();
        }
    }
}
