package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.RelaySuite;

/** The relay suite on epoll with {@link Forwarding#AUTO}. */
class EpollAutoRelayTest extends RelaySuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
