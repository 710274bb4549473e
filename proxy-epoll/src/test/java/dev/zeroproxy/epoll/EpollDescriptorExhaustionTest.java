package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.DescriptorExhaustionSuite;

/**
 * Real descriptor exhaustion on epoll with {@link Forwarding#AUTO}, the forwarder's default:
 * the pairs relaying before the shortage are spliced, and keep their pipes through it.
 */
class EpollDescriptorExhaustionTest extends DescriptorExhaustionSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
