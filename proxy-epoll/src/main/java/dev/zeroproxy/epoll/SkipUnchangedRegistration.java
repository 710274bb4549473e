package dev.zeroproxy.epoll;

import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * One epoll registration of Netty's that passes a submitted interest set on only when it
 * differs from the last one passed on: re-submitting the same set would be an
 * {@code EPOLL_CTL_MOD} that changes nothing (Netty's epoll is level-triggered, so re-arming an
 * unchanged set reports no event that the set would not report anyway). See
 * {@link LeanEpollIoHandler} for the Netty call this saves.
 *
 * <p>Netty's registration is given after construction ({@link #wrapping}), so that a channel's
 * {@link CloseAwareHandle} can be its own registration: one object a channel instead of a handle,
 * a registration and a callback between them, on every idle connection.
 *
 * <p>Netty submits from the channel's event loop; the lock only mirrors Netty's own
 * registration, which allows calls from any thread.
 */
class SkipUnchangedRegistration implements IoRegistration {
    /** No set passed on yet: the first submit is the {@code EPOLL_CTL_ADD}. */
    private static final long NOTHING_SUBMITTED = Long.MIN_VALUE;
    private IoRegistration epoll;
    private long submitted = NOTHING_SUBMITTED;

    /** Wraps Netty's registration, once, before this is handed to the channel; returns this. */
    final SkipUnchangedRegistration wrapping(IoRegistration registration) {
        if (epoll != null) {
            throw new IllegalStateException("already wraps " + epoll);
        }
        epoll = registration;
        return this;
    }

    /** Told first when the registration is cancelled (see {@link CloseAwareHandle}). */
    void cancelling() {
    }

    @Override
    public final <T> T attachment() {
        return epoll.attachment();
    }

    @Override
    public final synchronized long submit(IoOps ops) {
        long value = ((EpollIoOps) ops).value();
        if (value == submitted && epoll.isValid()) {
            return value;
        }
        long result = epoll.submit(ops);
        // Netty answers -1 once cancelled; an empty set on a registration not yet added is not
        // added either (result 0), so the next set must still be passed on to become the ADD.
        submitted = result < 0 || (value == 0 && submitted == NOTHING_SUBMITTED) ? NOTHING_SUBMITTED : value;
        return result;
    }

    @Override
    public final boolean isValid() {
        return epoll.isValid();
    }

    @Override
    public final boolean cancel() {
        cancelling();
        return epoll.cancel();
    }
}
