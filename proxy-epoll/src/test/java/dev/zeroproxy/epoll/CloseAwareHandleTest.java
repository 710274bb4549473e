package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
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
        List<Boolean> openAtNettysCancel = new ArrayList<>();
        handle.wrapping(new NettysRegistration(() -> openAtNettysCancel.add(handle.fd().isOpen())));
        assertEquals(socket.intValue(), handle.fd().intValue());
        assertTrue(handle.fd().isOpen());
        handle.cancel();
        assertEquals(List.of(false), openAtNettysCancel, "so Netty's cancel makes no EPOLL_CTL_DEL");
        assertFalse(handle.fd().isOpen());
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

    /** Netty's registration as far as the cancel goes: runs {@code onCancel} then. */
    private static final class NettysRegistration implements IoRegistration {
        private final Runnable onCancel;
        private boolean valid = true;

        NettysRegistration(Runnable onCancel) {
            this.onCancel = onCancel;
        }

        @Override
        public <T> T attachment() {
            return null;
        }

        @Override
        public long submit(IoOps ops) {
            return valid ? 0 : -1;
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean cancel() {
            onCancel.run();
            valid = false;
            return true;
        }
    }
}
