package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.HalfClosedTimeoutSuite;

/** The half-closed timeout suite on epoll with {@link Forwarding#COPY}. */
class EpollCopyHalfClosedTimeoutTest extends HalfClosedTimeoutSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
