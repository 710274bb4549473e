package dev.zeroproxy.internal;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/** The portable transport: Java NIO selectors, available on every JVM, {@link Forwarding#COPY} only. */
public final class NioTransport extends Transport {
    /** The one instance; {@link Transport#nio()} returns it. */
    public static final NioTransport INSTANCE = new NioTransport();

    private NioTransport() { }

    @Override
    public String name() {
        return "nio";
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
        return 100;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory());
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory() {
        return NioServerSocketChannel::new;
    }

    @Override
    public ChannelFactory<? extends Channel> socketChannelFactory() {
        return NioSocketChannel::new;
    }
}
