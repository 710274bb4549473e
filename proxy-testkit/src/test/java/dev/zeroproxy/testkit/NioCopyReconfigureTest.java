package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The reconfigure suite on nio with {@link Forwarding#COPY}. */
class NioCopyReconfigureTest extends ReconfigureSuite {
    @Override
    protected Transport transport() {
        return Transport.named("nio");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
