package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ConnectionHandleSuite;

/** The connection handle suite on epoll with {@link Forwarding#SPLICE}. */
class EpollSpliceConnectionHandleTest extends ConnectionHandleSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.SPLICE;
    }
}
