package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.RuntimeSuite;

/** The runtime suite on epoll with {@link Forwarding#AUTO}. */
class EpollAutoRuntimeTest extends RuntimeSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
