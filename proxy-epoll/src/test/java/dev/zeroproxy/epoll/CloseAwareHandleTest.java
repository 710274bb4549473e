package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The descriptor the epoll handler sees: the channel's number, closed once the channel closes. */
class CloseAwareHandleTest {
    /** A descriptor object only: nothing is opened, read or closed through it. */
    private final FileDescriptor socket = new FileDescriptor(1_000_000);
    private final List<String> calls = new ArrayList<>();
    private final EpollIoHandle channel = new EpollIoHandle() {
        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            calls.add("handle");
        }

        @Override
        public void unregistered() {
            calls.add("unregistered");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    };

    @Test
    void theDescriptorReadsAsClosedFromTheCancelOn() {
        CloseAwareHandle handle = new CloseAwareHandle(channel);
        assertEquals(socket.intValue(), handle.fd().intValue());
        assertTrue(handle.fd().isOpen());
        handle.closing();
        assertFalse(handle.fd().isOpen(), "so Netty's cancel makes no EPOLL_CTL_DEL");
        assertTrue(socket.isOpen(), "the channel's own descriptor is untouched");
    }

    @Test
    void everythingElseIsTheChannelsHandle() throws Exception {
        CloseAwareHandle handle = new CloseAwareHandle(channel);
        handle.handle(null, null);
        handle.unregistered();
        handle.close();
        assertEquals(List.of("handle", "unregistered", "close"), calls);
        assertThrows(UnsupportedOperationException.class, () -> handle.fd().close(),
                "the socket is its channel's to close");
    }
}
