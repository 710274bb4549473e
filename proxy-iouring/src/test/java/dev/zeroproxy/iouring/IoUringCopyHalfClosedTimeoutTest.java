package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.HalfClosedTimeoutSuite;

/** The half-closed timeout suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyHalfClosedTimeoutTest extends HalfClosedTimeoutSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
