package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * The Linux io_uring transport (Netty 4.2's {@code netty-transport-native-io_uring}, kernel 5.9
 * or later), {@link Forwarding#COPY} only: Netty's io_uring channels splice only files, not
 * socket to socket.
 *
 * <p>Found by {@link java.util.ServiceLoader} when {@code proxy-iouring} is on the classpath;
 * where io_uring cannot run (old kernel, disabled by sysctl or seccomp), {@link #isAvailable()}
 * is false and {@link #unavailabilityCause()} says why. Immutable and thread-safe.
 *
 * <p>Loading this class turns off two of Netty's multishot io_uring requests unless their
 * properties are set, because each loses a peer's reset (Netty 4.2.18):
 * <ul>
 *   <li>{@code POLL_ADD} ({@code io.netty.iouring.pollAddMultishotEnabled}): a multishot poll is
 *       edge-triggered. An RST that arrives while a recv is in flight wakes it once, to no
 *       effect; the recvs drain the bytes queued before the RST, the last one does not report
 *       the socket non-empty (a pending error is not data), so the read loop ends, and the next
 *       read waits on the still-armed poll, which is never woken again. The ECONNRESET is never
 *       read and the relay never ends the other side. A one-shot poll is armed afresh for each
 *       wait and fires at once on the pending error.
 *   <li>{@code ACCEPT} ({@code io.netty.iouring.acceptMultiShotEnabled}): a multishot accept
 *       does not return the peer's address, so Netty asks {@code getpeername(2)}, which fails
 *       on a connection reset before it was accepted; the channel then has no remote address.
 *       A one-shot accept returns it, as {@code accept(2)} does for NIO and epoll.
 * </ul>
 * Netty reads these properties once, when its io_uring support loads; if that happened before
 * this class was loaded, or a property is set to true, the transport reports itself
 * unavailable rather than lose resets.
 */
public final class IoUringTransport extends Transport {
    /** From Linux's {@code <linux/in.h>}: the protocol level and the option's number. */
    private static final int IPPROTO_IP = 0;
    private static final int IP_BIND_ADDRESS_NO_PORT = 24;
    private static final NettyOption BIND_ADDRESS_NO_PORT = new NettyOption(
            new IntegerUnixChannelOption("IP_BIND_ADDRESS_NO_PORT", IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT), 1);
    private static final String POLL_ADD_MULTISHOT = "io.netty.iouring.pollAddMultishotEnabled";
    private static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";

    static {
        for (String property : new String[] {POLL_ADD_MULTISHOT, ACCEPT_MULTISHOT}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "false");
            }
        }
    }

    /** For {@link java.util.ServiceLoader}; use {@code Transport.named("io_uring")}. */
    public IoUringTransport() { }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public boolean isAvailable() {
        return IoUring.isAvailable() && !IoUring.isPollAddMultishotEnabled()
                && !IoUring.isAcceptMultishotEnabled();
    }

    @Override
    public Throwable unavailabilityCause() {
        if (!IoUring.isAvailable()) {
            return IoUring.unavailabilityCause();
        }
        if (IoUring.isPollAddMultishotEnabled() || IoUring.isAcceptMultishotEnabled()) {
            return new IllegalStateException("Netty's io_uring multishot POLL_ADD or ACCEPT is on ("
                    + POLL_ADD_MULTISHOT + " or " + ACCEPT_MULTISHOT
                    + " was true when io_uring loaded): a peer's reset could be lost");
        }
        return null;
    }

    @Override
    public int rank() {
        return 20;
    }

    /** Adds the Linux options to the portable ones; durations become the kernel's seconds or milliseconds. */
    @Override
    public NettyOption channelOption(TcpOption<?> option, Object value) {
        if (option == TcpOption.TCP_CORK) {
            return new NettyOption(IoUringChannelOption.TCP_CORK, value);
        } else if (option == TcpOption.TCP_QUICKACK) {
            return new NettyOption(IoUringChannelOption.TCP_QUICKACK, value);
        } else if (option == TcpOption.TCP_KEEPIDLE) {
            return new NettyOption(IoUringChannelOption.TCP_KEEPIDLE, seconds(value));
        } else if (option == TcpOption.TCP_KEEPINTVL) {
            return new NettyOption(IoUringChannelOption.TCP_KEEPINTVL, seconds(value));
        } else if (option == TcpOption.TCP_KEEPCNT) {
            return new NettyOption(IoUringChannelOption.TCP_KEEPCNT, value);
        } else if (option == TcpOption.TCP_USER_TIMEOUT) {
            return new NettyOption(IoUringChannelOption.TCP_USER_TIMEOUT, (int) ((Duration) value).toMillis());
        } else if (option == TcpOption.TCP_DEFER_ACCEPT) {
            return new NettyOption(IoUringChannelOption.TCP_DEFER_ACCEPT, seconds(value));
        } else if (option == TcpOption.TCP_FASTOPEN) {
            return new NettyOption(IoUringChannelOption.TCP_FASTOPEN, value);
        } else if (option == TcpOption.SO_REUSEPORT) {
            return new NettyOption(IoUringChannelOption.SO_REUSEPORT, value);
        }
        return super.channelOption(option, value);
    }

    /**
     * Netty 4.2.18 has no io_uring option for it ({@code IoUringChannelOption} lacks
     * {@code IP_BIND_ADDRESS_NO_PORT}, which epoll has), but its io_uring channels apply any
     * {@link IntegerUnixChannelOption} as a plain {@code setsockopt(2)}: this one is
     * {@code setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)}, the call Netty's epoll
     * option makes. The kernel honours it on IPv6 sockets too (Linux 4.2 and later).
     */
    @Override
    public NettyOption bindAddressNoPort() {
        return BIND_ADDRESS_NO_PORT;
    }

    private static int seconds(Object duration) {
        return (int) ((Duration) duration).getSeconds();
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
