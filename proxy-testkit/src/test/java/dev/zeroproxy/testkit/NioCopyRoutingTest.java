package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The routing suite on nio with {@link Forwarding#COPY}. */
class NioCopyRoutingTest extends RoutingSuite {
    @Override
    protected Transport transport() {
        return Transport.named("nio");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
