package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.TransportAssumptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoll transport's half-close ({@link EpollTransport#shutdownOutput}): the peer reads every
 * byte and then EOF, the channel still reads, and Netty sees its output shut; the cheap path is
 * taken only with nothing queued or counted, and otherwise Netty's own path runs (and fails what
 * is queued).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EpollHalfCloseTest {
    private final Transport epoll = Transport.named("epoll");
    private EventLoopGroup loops;
    private ServerSocket server;

    @BeforeEach
    void start() throws Exception {
        TransportAssumptions.assumeAvailable(epoll);
        loops = epoll.newEventLoopGroup(1, Executors.defaultThreadFactory());
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void withNothingQueuedTheSocketIsShutAndTheChannelReadsOn() throws Exception {
        byte[] sent = randomBytes(256 * 1024, 11);
        byte[] reply = randomBytes(4096, 12);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        EpollSocketChannel channel = connect(received, reply.length);
        try (Socket peer = server.accept()) {
            CompletableFuture<byte[]> peerRead = CompletableFuture.supplyAsync(() -> readToEof(peer));
            channel.writeAndFlush(Unpooled.wrappedBuffer(sent)).sync();
            ChannelFuture shut = channel.eventLoop().submit(() -> epoll.shutdownOutput(channel)).get();

            assertTrue(shut.isSuccess(), () -> "shut: " + shut.cause());
            assertTrue(channel.isOutputShutdown(), "Netty sees the output shut");
            assertNotNull(channel.unsafe().outboundBuffer(), "shut by the socket, not through Netty's shutdownOutput");
            assertArrayEquals(sent, peerRead.get(10, TimeUnit.SECONDS), "every byte, then EOF");

            OutputStream back = peer.getOutputStream();
            back.write(reply);
            back.flush();
            assertArrayEquals(reply, received.get(10, TimeUnit.SECONDS), "the input stays open: a half-close");
            assertTrue(channel.isActive());
        } finally {
            channel.close().sync();
        }
    }

    @Test
    void withAWriteQueuedNettysOwnPathShutsAndFailsIt() throws Exception {
        EpollSocketChannel channel = connect(new CompletableFuture<>(), 1);
        try (Socket peer = server.accept()) {
            CompletableFuture<byte[]> peerRead = CompletableFuture.supplyAsync(() -> readToEof(peer));
            ChannelFuture queued = channel.eventLoop().submit(() -> channel.write(Unpooled.wrappedBuffer(randomBytes(100, 13)))).get();
            ChannelFuture shut = channel.eventLoop().submit(() -> epoll.shutdownOutput(channel)).get();

            assertTrue(shut.sync().isSuccess());
            assertTrue(channel.isOutputShutdown());
            assertNull(channel.unsafe().outboundBuffer(), "Netty's path, which drops its queue");
            queued.await(10, TimeUnit.SECONDS);
            assertFalse(queued.isSuccess(), "the queued write is failed, not sent after the FIN");
            assertInstanceOf(ChannelOutputShutdownException.class, queued.cause());
            assertEquals(0, peerRead.get(10, TimeUnit.SECONDS).length, "EOF, and nothing before it");
        } finally {
            channel.close().sync();
        }
    }

    @Test
    void fromTheListenerOfAWriteThatWaitedForThePeerNettysPathRunsAndTheStreamIsWhole() throws Exception {
        // The relay half-closes from its last write's listener; a write that had to wait for the
        // peer completes inside Netty's ChannelOutboundBuffer.remove(), still counted as pending.
        byte[] sent = randomBytes(16 * 1024 * 1024, 14);
        EpollSocketChannel channel = connect(new CompletableFuture<>(), 1);
        try (Socket peer = server.accept()) {
            CompletableFuture<ChannelFuture> shut = new CompletableFuture<>();
            channel.eventLoop().execute(() -> channel.writeAndFlush(Unpooled.wrappedBuffer(sent))
                    .addListener(written -> shut.complete(epoll.shutdownOutput(channel))));
            Thread.sleep(200);
            assertFalse(shut.isDone(), "the peer reads nothing yet, so the write waits");

            CompletableFuture<byte[]> peerRead = CompletableFuture.supplyAsync(() -> readToEof(peer));
            assertTrue(shut.get(10, TimeUnit.SECONDS).sync().isSuccess());
            assertTrue(channel.isOutputShutdown());
            assertNull(channel.unsafe().outboundBuffer(), "Netty's path: the write was still counted when its listener ran");
            assertArrayEquals(sent, peerRead.get(10, TimeUnit.SECONDS), "every byte, then EOF");
        } finally {
            channel.close().sync();
        }
    }

    private EpollSocketChannel connect(CompletableFuture<byte[]> received, int expected) throws InterruptedException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        return (EpollSocketChannel) new Bootstrap()
                .group(loops)
                .channelFactory(epoll.socketChannelFactory())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            buf.readBytes(in, buf.readableBytes());
                        } catch (java.io.IOException e) {
                            received.completeExceptionally(e);
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                        if (in.size() >= expected) {
                            received.complete(in.toByteArray());
                        }
                    }
                })
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))
                .sync()
                .channel();
    }

    private static byte[] readToEof(Socket peer) {
        try {
            // Not closed here: closing a socket's stream closes the socket, and the peer still writes.
            return peer.getInputStream().readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
