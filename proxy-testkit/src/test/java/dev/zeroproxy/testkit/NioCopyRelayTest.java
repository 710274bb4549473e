package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The relay suite on the built-in NIO transport. */
class NioCopyRelayTest extends RelaySuite {
    @Override
    protected Transport transport() {
        return Transport.nio();
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
