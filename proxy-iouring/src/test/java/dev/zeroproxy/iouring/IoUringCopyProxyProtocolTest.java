package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ProxyProtocolSuite;

/** The PROXY protocol suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyProxyProtocolTest extends ProxyProtocolSuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }
}
