package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.TransportAssumptions;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which interest sets reach Netty's registration (each one an epoll_ctl there), and which not. */
class SkipUnchangedRegistrationTest {
    private static final EpollIoOps READ_ERR_RDHUP = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLERR).with(EpollIoOps.EPOLLRDHUP);
    private final Recording netty = new Recording();

    @BeforeEach
    void epollLoads() {
        TransportAssumptions.assumeAvailable(Transport.named("epoll"));
    }

    @Test
    void theSameSetSubmittedAgainIsNotPassedOn() {
        SkipUnchangedRegistration registration = new SkipUnchangedRegistration().wrapping(netty);
        registration.submit(READ_ERR_RDHUP.with(EpollIoOps.EPOLLOUT));
        registration.submit(READ_ERR_RDHUP);
        registration.submit(READ_ERR_RDHUP);
        assertEquals(List.of(READ_ERR_RDHUP.with(EpollIoOps.EPOLLOUT).value(), READ_ERR_RDHUP.value()),
                netty.submitted, "ADD, then one MOD: the repeated set is Netty's submitCurrentOps after a connect");
    }

    @Test
    void anEmptySetBeforeTheAddDoesNotCountAsSubmitted() {
        SkipUnchangedRegistration registration = new SkipUnchangedRegistration().wrapping(netty);
        registration.submit(EpollIoOps.NONE);
        registration.submit(EpollIoOps.NONE);
        assertEquals(List.of(0, 0), netty.submitted, "Netty adds nothing for an empty set: ask again");
    }

    @Test
    void aCancelledRegistrationIsAskedEveryTime() {
        SkipUnchangedRegistration registration = new SkipUnchangedRegistration().wrapping(netty);
        registration.submit(READ_ERR_RDHUP);
        netty.valid = false;
        registration.submit(READ_ERR_RDHUP);
        assertEquals(2, netty.submitted.size(), "Netty answers -1 for it, which is its to say");
    }

    @Test
    void cancellingSaysSoBeforeNettyCancels() {
        List<String> calls = new ArrayList<>();
        SkipUnchangedRegistration registration = new SkipUnchangedRegistration() {
            @Override
            void cancelling() {
                calls.add(netty.valid ? "told while Netty's registration is valid" : "told too late");
            }
        }.wrapping(netty);
        registration.cancel();
        assertEquals(List.of("told while Netty's registration is valid"), calls);
    }

    @Test
    void itWrapsOneRegistrationOnly() {
        SkipUnchangedRegistration registration = new SkipUnchangedRegistration().wrapping(netty);
        assertThrows(IllegalStateException.class, () -> registration.wrapping(new Recording()));
        registration.submit(READ_ERR_RDHUP);
        assertEquals(List.of(READ_ERR_RDHUP.value()), netty.submitted, "still the first one's");
    }

    /** Netty's registration, as far as submit goes: records every set it is given. */
    private static final class Recording implements IoRegistration {
        private final List<Integer> submitted = new ArrayList<>();
        private boolean valid = true;

        @Override
        public <T> T attachment() {
            return null;
        }

        @Override
        public long submit(IoOps ops) {
            int value = ((EpollIoOps) ops).value();
            submitted.add(value);
            return valid ? value : -1;
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean cancel() {
            valid = false;
            return true;
        }
    }
}
