package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NIO with descriptor exhaustion on demand, injected exactly where Netty meets a real
 * {@code EMFILE} (the upstream socket's creation, the listener's accept), so a test can run out
 * of descriptors without taking the test JVM's own away.
 */
final class FaultyNioTransport extends Transport {
    private final Transport nio = Transport.nio();
    /** Upstream sockets still to fail. */
    final AtomicInteger upstreamSocketFailures = new AtomicInteger();
    /** While set, every accept fails, and the connection stays in the kernel's accept queue. */
    final AtomicBoolean acceptsFail = new AtomicBoolean();
    /** Accepts tried while {@link #acceptsFail} was set. */
    final AtomicInteger failedAccepts = new AtomicInteger();

    /** A started COPY proxy on this transport, one event loop, in front of {@code upstream}. */
    Proxy startProxy(InetSocketAddress upstream, RecordingListener events) {
        return Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(this)
                .forwarding(Forwarding.COPY)
                .eventLoops(1)
                .drainTimeout(Duration.ZERO)
                .listener(events)
                .start();
    }

    @Override
    public String name() {
        return "nio-faulty";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public int rank() {
        return Integer.MAX_VALUE;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return nio.newEventLoopGroup(threads, threadFactory);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory() {
        return FailingAccepts::new;
    }

    @Override
    public ChannelFactory<? extends Channel> socketChannelFactory() {
        ChannelFactory<? extends Channel> real = nio.socketChannelFactory();
        return () -> {
            if (upstreamSocketFailures.getAndDecrement() > 0) {
                throw new ChannelException("Failed to open a socket.", tooManyOpenFiles());
            }
            return real.newChannel();
        };
    }

    private static IOException tooManyOpenFiles() {
        return new IOException("Too many open files");
    }

    /** A listener whose accept fails as accept(2) does at EMFILE while told to. */
    private final class FailingAccepts extends NioServerSocketChannel {
        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            if (acceptsFail.get()) {
                failedAccepts.incrementAndGet();
                throw tooManyOpenFiles();
            }
            return super.doReadMessages(buf);
        }
    }
}
