package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The Linux io_uring transport (Netty 4.2's {@code netty-transport-native-io_uring}, kernel 5.9
 * or later), {@link Forwarding#COPY} only: Netty's io_uring channels splice only files, not
 * socket to socket.
 *
 * <p>Found by {@link java.util.ServiceLoader} when {@code proxy-iouring} is on the classpath;
 * where io_uring cannot run (old kernel, disabled by sysctl or seccomp), {@link #isAvailable()}
 * is false and {@link #unavailabilityCause()} says why. Immutable and thread-safe.
 */
public final class IoUringTransport extends Transport {

    /** For {@link java.util.ServiceLoader}; use {@code Transport.named("io_uring")}. */
    public IoUringTransport() { }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public boolean isAvailable() {
        return IoUring.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return IoUring.unavailabilityCause();
    }

    @Override
    public boolean supports(Forwarding mode) {
        return mode == Forwarding.COPY;
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, IoUringIoHandler.newFactory());
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory() {
        return IoUringServerSocketChannel::new;
    }

    @Override
    public ChannelFactory<? extends Channel> socketChannelFactory() {
        return IoUringSocketChannel::new;
    }
}
