package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ReconfigureSuite;

/** The reconfigure suite on epoll with {@link Forwarding#COPY}. */
class EpollCopyReconfigureTest extends ReconfigureSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
