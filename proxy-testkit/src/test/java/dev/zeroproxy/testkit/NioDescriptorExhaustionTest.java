package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** Real descriptor exhaustion on the built-in NIO transport. */
class NioDescriptorExhaustionTest extends DescriptorExhaustionSuite {
    @Override
    protected Transport transport() {
        return Transport.nio();
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
