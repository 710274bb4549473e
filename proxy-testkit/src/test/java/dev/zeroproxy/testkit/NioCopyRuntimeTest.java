package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The runtime suite on nio with {@link Forwarding#COPY}. */
class NioCopyRuntimeTest extends RuntimeSuite {
    @Override
    protected Transport transport() {
        return Transport.named("nio");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
