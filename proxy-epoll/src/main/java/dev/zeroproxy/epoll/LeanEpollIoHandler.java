package dev.zeroproxy.epoll;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's {@link EpollIoHandler}, with each registration wrapped in a
 * {@link SkipUnchangedRegistration}, so that an interest set submitted again unchanged costs no
 * {@code epoll_ctl}, and each channel's handle in a {@link CloseAwareHandle}, so that closing
 * the channel costs no {@code EPOLL_CTL_DEL}. Everything else is Netty's, delegated as is.
 *
 * <p>Why: Netty 4.2.18 submits a channel's interest set again, unchanged, right after every
 * completed connect ({@code AbstractEpollChannel.fulfillConnectPromise} calls
 * {@code submitCurrentOps()} unconditionally, just after {@code doFinishConnect} submitted the
 * set without {@code EPOLLOUT}): one redundant {@code EPOLL_CTL_MOD} per upstream connection.
 * (Netty 4.1's epoll loop coalesced interest changes, https://github.com/netty/netty/pull/9397;
 * 4.2's registrations submit each one as it comes.)
 * Netty's channel classes are final, so the call cannot be avoided in a channel subclass; the
 * registration an I/O handler hands out is ours to wrap.
 */
final class LeanEpollIoHandler implements IoHandler {
    /** The handles of Netty's epoll channels (package-private in Netty, hence by name). */
    private static final Class<?> EPOLL_CHANNEL_HANDLE = epollChannelHandle();
    private final IoHandler epoll;

    private LeanEpollIoHandler(IoHandler epoll) {
        this.epoll = epoll;
    }

    private static Class<?> epollChannelHandle() {
        try {
            return Class.forName("io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe");
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A factory of Netty's epoll handlers, each wrapped in one of these. */
    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
                return new LeanEpollIoHandler(epoll.newHandler(ioExecutor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        if (!EPOLL_CHANNEL_HANDLE.isInstance(handle)) {
            return new SkipUnchangedRegistration().wrapping(epoll.register(handle));
        }
        CloseAwareHandle closeAware = new CloseAwareHandle((EpollIoHandle) handle);
        return closeAware.wrapping(epoll.register(closeAware));
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }
}
