package dev.zeroproxy.epoll;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Native;

/**
 * Keeps an epoll channel's descriptor in its epoll set for as long as the channel is open.
 *
 * <p>Why: Netty 4.2.18 removes a descriptor from the epoll set (EPOLL_CTL_DEL) when its interest
 * set becomes empty, yet keeps the registration marked as added. The set becomes empty when a
 * peer's FIN is handled while reads are off, which a relay does all the time (reads pause for
 * backpressure; Netty's splice pauses them while its pipe drains). Turning reads on again is
 * then an EPOLL_CTL_MOD on a descriptor epoll no longer knows: ENOENT, and the connection is
 * aborted. Netty's own splice does exactly that when its last pending splice-out completes.
 *
 * <p>The remedy: {@code EPOLLERR} in the interest set. The kernel reports EPOLLERR whether asked
 * for or not, so no event changes; the set just never becomes empty. (A socket whose both
 * directions are done reports EPOLLHUP until it is closed, and the relay closes such a pair at
 * once.) The flag is set through {@link EpollInterest}; the epoll relay suite fails if that
 * stops working.
 */
final class EpollSetKeeper {
    private EpollSetKeeper() { }

    /**
     * Adds EPOLLERR to {@code channel}'s interest set. Call before the channel is registered (the
     * flag then goes into the registration, at no cost), or on its event loop.
     */
    static void keepInEpollSet(Channel channel) {
        EpollInterest.add(channel, Native.EPOLLERR);
    }
}
