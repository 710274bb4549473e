package dev.zeroproxy.epoll;

import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.SocketOptionsSuite;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.unix.UnixChannelOption;

/** The socket-option suite on epoll. */
class EpollSocketOptionsTest extends SocketOptionsSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected ChannelOption<Integer> tcpKeepIdle() {
        return EpollChannelOption.TCP_KEEPIDLE;
    }

    @Override
    protected ChannelOption<Integer> tcpKeepIntvl() {
        return EpollChannelOption.TCP_KEEPINTVL;
    }

    @Override
    protected ChannelOption<Integer> tcpKeepCnt() {
        return EpollChannelOption.TCP_KEEPCNT;
    }

    @Override
    protected ChannelOption<Integer> tcpUserTimeout() {
        return EpollChannelOption.TCP_USER_TIMEOUT;
    }

    @Override
    protected ChannelOption<Boolean> tcpCork() {
        return EpollChannelOption.TCP_CORK;
    }

    @Override
    protected ChannelOption<Boolean> soReusePort() {
        return UnixChannelOption.SO_REUSEPORT;
    }

    @Override
    protected ChannelOption<Integer> tcpDeferAccept() {
        return EpollChannelOption.TCP_DEFER_ACCEPT;
    }
}
