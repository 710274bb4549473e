package dev.zeroproxy.epoll;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.FlightEventsSuite;

/** The flight events on epoll with {@link Forwarding#AUTO}. */
class EpollAutoFlightEventsTest extends FlightEventsSuite {
    @Override
    protected Transport transport() {
        return Transport.named("epoll");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.AUTO;
    }
}
