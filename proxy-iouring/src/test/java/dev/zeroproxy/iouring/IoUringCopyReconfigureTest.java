package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ReconfigureSuite;

/** The reconfigure suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyReconfigureTest extends ReconfigureSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
