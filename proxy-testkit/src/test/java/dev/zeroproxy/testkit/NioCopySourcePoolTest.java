package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The source-pool suite on NIO with {@link Forwarding#COPY}. */
class NioCopySourcePoolTest extends SourcePoolSuite {
    @Override
    protected Transport transport() {
        return Transport.nio();
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
