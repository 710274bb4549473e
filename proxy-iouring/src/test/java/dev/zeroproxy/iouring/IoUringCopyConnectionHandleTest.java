package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ConnectionHandleSuite;

/** The connection handle suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyConnectionHandleTest extends ConnectionHandleSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
