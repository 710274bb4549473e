package dev.zeroproxy.epoll;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;

/**
 * A Netty epoll channel's I/O handle, as its {@code EpollIoHandler} sees it: the same handle,
 * except that from the moment its registration is cancelled its descriptor reads as closed.
 *
 * <p>Why: when a channel closes, Netty 4.2.18 cancels its registration just before it closes
 * the socket ({@code AbstractEpollChannel.doClose}: {@code doDeregister()}, then
 * {@code socket.close()}), and the cancel removes a descriptor that is still open from the
 * epoll set: one {@code EPOLL_CTL_DEL} per channel, though closing a descriptor removes it from
 * every epoll set anyway (epoll(7), "Questions and answers", 6) when it is the socket's last
 * descriptor. Netty skips the call itself for a descriptor already closed; this handle makes it
 * see the one about to be. The channel's own descriptor is untouched: only the epoll handler
 * asks this one. nginx closes without the call too.
 *
 * <p>What that relies on, and what happens where it does not hold:
 * <ul>
 *   <li>The socket is closed right after: every cancel of a ZeroProxy channel's registration
 *       comes from its close (ZeroProxy never deregisters a channel otherwise), in the same call
 *       on the event loop. Netty cancels early so that a close delayed off the loop (an
 *       {@code SO_LINGER} above 0, https://github.com/netty/netty/pull/4548) cannot spin the loop;
 *       ZeroProxy sets none, and even then Netty removes a descriptor from the set at its first
 *       event once no registration maps it.</li>
 *   <li>No other descriptor refers to the socket: Netty opens sockets close-on-exec, and
 *       ZeroProxy never duplicates one. A process that forks without exec while a connection
 *       closes keeps the socket, and so its epoll entry, alive in the child until the child
 *       exits or execs: until then its events wake the loop for nothing (libuv deregisters for
 *       that reason, https://github.com/joyent/libuv/pull/1100).</li>
 * </ul>
 */
final class CloseAwareHandle extends SkipUnchangedRegistration implements EpollIoHandle {
    private final EpollIoHandle channel;
    private final Descriptor fd;

    CloseAwareHandle(EpollIoHandle channel) {
        this.channel = channel;
        this.fd = new Descriptor(channel.fd());
    }

    /** The registration is being cancelled: the channel closes its socket right after. */
    @Override
    void cancelling() {
        fd.closing = true;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent ioEvent) {
        channel.handle(registration, ioEvent);
    }

    @Override
    public void registered() {
        channel.registered();
    }

    @Override
    public void unregistered() {
        channel.unregistered();
    }

    @Override
    public void close() throws Exception {
        channel.close();
    }

    /** The channel's descriptor number, reading as closed once the channel is closing. */
    private static final class Descriptor extends FileDescriptor {
        private final FileDescriptor socket;
        private volatile boolean closing;

        Descriptor(FileDescriptor socket) {
            super(socket.intValue());
            this.socket = socket;
        }

        @Override
        public boolean isOpen() {
            return !closing && socket.isOpen();
        }

        @Override
        public void close() {
            // The socket is the channel's to close; the epoll handler never closes a handle's descriptor.
            throw new UnsupportedOperationException("closed by its channel");
        }
    }
}
