package dev.zeroproxy.iouring;

import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.SocketOptionsSuite;
import io.netty.channel.ChannelOption;
import io.netty.channel.uring.IoUringChannelOption;

/** The socket-option suite on io_uring. */
class IoUringSocketOptionsTest extends SocketOptionsSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected ChannelOption<Integer> tcpKeepIdle() {
        return IoUringChannelOption.TCP_KEEPIDLE;
    }

    @Override
    protected ChannelOption<Integer> tcpKeepIntvl() {
        return IoUringChannelOption.TCP_KEEPINTVL;
    }

    @Override
    protected ChannelOption<Integer> tcpKeepCnt() {
        return IoUringChannelOption.TCP_KEEPCNT;
    }

    @Override
    protected ChannelOption<Integer> tcpUserTimeout() {
        return IoUringChannelOption.TCP_USER_TIMEOUT;
    }

    @Override
    protected ChannelOption<Boolean> tcpCork() {
        return IoUringChannelOption.TCP_CORK;
    }

    @Override
    protected ChannelOption<Boolean> soReusePort() {
        return IoUringChannelOption.SO_REUSEPORT;
    }

    @Override
    protected ChannelOption<Integer> tcpDeferAccept() {
        return IoUringChannelOption.TCP_DEFER_ACCEPT;
    }
}
