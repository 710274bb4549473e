package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ReconfigureSuite;

/** The reconfigure suite on epoll with {@link Forwarding#AUTO}. */
class EpollAutoReconfigureTest extends ReconfigureSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
