package dev.zeroproxy.iouring;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.RelaySuite;

/** The relay suite on io_uring with {@link Forwarding#COPY}. */
class IoUringCopyRelayTest extends RelaySuite {
    @Override
    protected Transport transport() {
        return Transport.named("io_uring");
    }

    @Override
    protected Forwarding forwarding() {
        return Forwarding.COPY;
    }

    /**
     * Netty 4.2.18's io_uring transport submits each read with its buffer, so a channel that has
     * just read (a slow client, and the upstream answering it) waits for the next byte holding
     * one: two per pair, and up to twice that while one is handed back. A provided-buffer ring
     * would share them; see docs/reliability.md.
     */
    @Override
    protected int receiveBuffersHeldPerWaitingPair() {
        return 4;
    }
}
