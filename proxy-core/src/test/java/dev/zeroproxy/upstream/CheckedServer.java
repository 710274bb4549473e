package dev.zeroproxy.upstream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import dev.zeroproxy.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A loopback server whose answers a test changes while checks run: silent, a reply on connect
 * (a banner), a reply to the first read, optionally closing after the reply. It can stop
 * listening (connects are refused) and listen again on the same port.
 */
final class CheckedServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel listener;
    private int port;

    /** Written on accept, null for none. */
    volatile byte[] banner;
    /** Written after the first read, null for none. */
    volatile byte[] reply;
    /** Close the connection after writing the banner or reply (or at once, without either). */
    volatile boolean closeAfterWrite;
    /** Each accepted connection, as it is accepted. */
    final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    /** The first bytes each connection sent, as text. */
    final BlockingQueue<String> firstReads = new LinkedBlockingQueue<>();

    CheckedServer(EventLoopGroup group) {
        this.group = group;
        bind(0);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Closes the listener: connects are refused until {@link #listenAgain()}. */
    void stopListening() {
        listener.close().syncUninterruptibly();
    }

    /** Binds the same port again (SO_REUSEADDR, so the checker's closed connections do not hold it). */
    void listenAgain() {
        bind(port);
    }

    private void bind(int wanted) {
        listener = new ServerBootstrap()
                .group(group)
                .channelFactory(Transport.nio().serverChannelFactory())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Answering());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", wanted)).syncUninterruptibly().channel();
        port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        children.close().syncUninterruptibly();
    }

    private final class Answering extends ChannelInboundHandlerAdapter {
        private boolean replied;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            children.add(ctx.channel());
            accepted.add(ctx.channel());
            byte[] b = banner;
            if (b != null) {
                write(ctx, b);
            } else if (closeAfterWrite && reply == null) {
                ctx.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                if (!replied) {
                    replied = true;
                    firstReads.add(buf.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
                    byte[] r = reply;
                    if (r != null) {
                        write(ctx, r);
                    }
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the checker closing first may reset: expected here
        }

        private void write(ChannelHandlerContext ctx, byte[] bytes) {
            var written = ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
            if (closeAfterWrite) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
