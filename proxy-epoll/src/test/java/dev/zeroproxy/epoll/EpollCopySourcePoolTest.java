package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.SourcePoolSuite;

/** The source-pool suite on epoll with {@link Forwarding#COPY}. */
class EpollCopySourcePoolTest extends SourcePoolSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
