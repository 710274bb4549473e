package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.DescriptorExhaustionSuite;

/** Real descriptor exhaustion on io_uring ({@link Forwarding#COPY}, its only mode). */
class IoUringDescriptorExhaustionTest extends DescriptorExhaustionSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
