package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;

/** The upstream group suite on nio with {@link Forwarding#COPY}. */
class NioCopyUpstreamGroupTest extends UpstreamGroupSuite {
    @Override
    protected Transport transport() {
        return Transport.named("nio");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
