package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ProxyProtocolSuite;

/** The PROXY protocol suite on epoll with {@link Forwarding#AUTO}. */
class EpollAutoProxyProtocolTest extends ProxyProtocolSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
