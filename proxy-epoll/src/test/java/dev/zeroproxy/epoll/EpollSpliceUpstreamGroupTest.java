package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.UpstreamGroupSuite;

/** The upstream group suite on epoll with {@link Forwarding#SPLICE}. */
class EpollSpliceUpstreamGroupTest extends UpstreamGroupSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.SPLICE;
    }
}
