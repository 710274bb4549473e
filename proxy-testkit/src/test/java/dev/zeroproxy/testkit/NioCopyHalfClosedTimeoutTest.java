package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The half-closed timeout suite on nio with {@link Forwarding#COPY}. */
class NioCopyHalfClosedTimeoutTest extends HalfClosedTimeoutSuite {
    @Override
    protected Transport transport() {
        return Transport.named("nio");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
