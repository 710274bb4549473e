package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.RoutingSuite;

/** The routing suite on epoll with {@link Forwarding#AUTO}. */
class EpollAutoRoutingTest extends RoutingSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
