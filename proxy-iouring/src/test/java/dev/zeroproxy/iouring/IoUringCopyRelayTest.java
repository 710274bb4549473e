package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.RelaySuite;

/** The relay suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyRelayTest extends RelaySuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
