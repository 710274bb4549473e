package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.TcpInfo;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.epoll.Native;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * The Linux epoll transport: every {@link Forwarding} mode, kernel {@code splice()} included.
 *
 * <p>Found by {@link java.util.ServiceLoader} when {@code proxy-epoll} is on the classpath;
 * obtain it with {@code Transport.named("epoll")} or {@link Transport#best(Forwarding)}. Where
 * the native library cannot load (not Linux, not x86_64), {@link #isAvailable()} is false and
 * {@link #unavailabilityCause()} says why. Immutable and thread-safe.
 */
public final class EpollTransport extends Transport {
    private static final NettyOption BIND_ADDRESS_NO_PORT =
            new NettyOption(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    private final Splicer splicer = new EpollSplicer();

    /** For {@link java.util.ServiceLoader}; use {@code Transport.named("epoll")}. */
    public EpollTransport() { }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public boolean isAvailable() {
        return Epoll.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return Epoll.unavailabilityCause();
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        // Netty's epoll handler, minus the redundant epoll_ctl calls: see LeanEpollIoHandler.
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, LeanEpollIoHandler.newFactory());
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory() {
        return EpollServerSocketChannel::new;
    }

    @Override
    public ChannelFactory<? extends Channel> socketChannelFactory() {
        return EpollSocketChannel::new;
    }

    /** Works around Netty 4.2.18's epoll-set bookkeeping: see {@link EpollSetKeeper}. */
    @Override
    public void prepareChannel(Channel channel) {
        EpollSetKeeper.keepInEpollSet(channel);
    }

    /**
     * Also registers the channel with {@code EPOLLIN}: reading is then allowed from the
     * {@code EPOLL_CTL_ADD} on, and turning {@code AUTO_READ} on at the relay's start finds the
     * flag already set, where it would cost an {@code EPOLL_CTL_MOD} per channel.
     */
    @Override
    public void prepareReadingChannel(Channel channel) {
        prepareChannel(channel);
        EpollInterest.add(channel, Native.EPOLLIN);
    }

    /** Adds the Linux options to the portable ones; durations become the kernel's seconds or milliseconds. */
    @Override
    public NettyOption channelOption(TcpOption<?> option, Object value) {
        if (option == TcpOption.TCP_CORK) {
            return new NettyOption(EpollChannelOption.TCP_CORK, value);
        } else if (option == TcpOption.TCP_QUICKACK) {
            return new NettyOption(EpollChannelOption.TCP_QUICKACK, value);
        } else if (option == TcpOption.TCP_KEEPIDLE) {
            return new NettyOption(EpollChannelOption.TCP_KEEPIDLE, seconds(value));
        } else if (option == TcpOption.TCP_KEEPINTVL) {
            return new NettyOption(EpollChannelOption.TCP_KEEPINTVL, seconds(value));
        } else if (option == TcpOption.TCP_KEEPCNT) {
            return new NettyOption(EpollChannelOption.TCP_KEEPCNT, value);
        } else if (option == TcpOption.TCP_USER_TIMEOUT) {
            return new NettyOption(EpollChannelOption.TCP_USER_TIMEOUT, (int) ((Duration) value).toMillis());
        } else if (option == TcpOption.TCP_DEFER_ACCEPT) {
            return new NettyOption(EpollChannelOption.TCP_DEFER_ACCEPT, seconds(value));
        } else if (option == TcpOption.TCP_FASTOPEN) {
            return new NettyOption(EpollChannelOption.TCP_FASTOPEN, value);
        } else if (option == TcpOption.SO_REUSEPORT) {
            return new NettyOption(UnixChannelOption.SO_REUSEPORT, value);
        }
        return super.channelOption(option, value);
    }

    /** Netty's own option for it: {@code EpollChannelOption.IP_BIND_ADDRESS_NO_PORT}. */
    @Override
    public NettyOption bindAddressNoPort() {
        return BIND_ADDRESS_NO_PORT;
    }

    /** Netty's {@code getsockopt(TCP_INFO)}: one system call, on the channel's loop. */
    @Override
    public TcpInfo tcpInfo(Channel channel) {
        if (!(channel instanceof EpollSocketChannel epoll)) {
            return null;
        }
        EpollTcpInfo info = epoll.tcpInfo();
        return new TcpInfo(Duration.ofNanos(info.rtt() * 1000L), Duration.ofNanos(info.rttvar() * 1000L),
                info.totalRetrans(), info.lost(), info.unacked(), info.sndCwnd(), info.sndMss());
    }

    /**
     * Shuts the socket's output itself when nothing is queued on the channel: the same
     * {@code shutdown(SHUT_WR)} Netty's channel makes, through the same Netty socket object, so
     * the channel's {@code isOutputShutdown()} and its later close behave as after Netty's own.
     *
     * <p>Why: Netty 4.2.18's {@code shutdownOutput()} ({@code AbstractChannel.AbstractUnsafe})
     * builds a {@code ChannelOutputShutdownException}, stack trace and all, on every call, to fail
     * the writes still queued, even when none are. A relayed connection half-closes twice, and
     * under connection churn filling those two stack traces was 9 % of the proxy's CPU
     * (perf, docs/benchmarks.md). With anything queued, Netty's own path runs, and fails it.
     *
     * <p>When it applies: the relay half-closes from its last write's listener. A last write the
     * kernel took within its own flush (short messages, a sink keeping up) leaves nothing
     * counted, and takes this path. One that waited for the sink (a slow reader, the end of a
     * bulk transfer) completes inside Netty's {@code ChannelOutboundBuffer.remove()}, which runs
     * the listeners before it subtracts the write's size: the buffer still counts it, so Netty's
     * path runs, exception and all, once per such direction, where a transfer's own cost dwarfs
     * it. Off the loop, Netty's path too (it hops onto the loop).
     */
    @Override
    public ChannelFuture shutdownOutput(DuplexChannel channel) {
        if (!(channel instanceof EpollSocketChannel epoll) || !epoll.eventLoop().inEventLoop() || !nothingQueued(epoll)) {
            return channel.shutdownOutput();
        }
        try {
            ((Socket) epoll.fd()).shutdown(false, true);
            return epoll.newSucceededFuture();
        } catch (IOException e) {
            return epoll.newFailedFuture(e);
        }
    }

    private static boolean nothingQueued(EpollSocketChannel channel) {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        return queued != null && queued.isEmpty() && queued.totalPendingWriteBytes() == 0;
    }

    private static int seconds(Object duration) {
        return (int) ((Duration) duration).getSeconds();
    }

    @Override
    public Splicer splicer() {
        return splicer;
    }
}
