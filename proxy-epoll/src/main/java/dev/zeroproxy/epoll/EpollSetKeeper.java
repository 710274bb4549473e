package dev.zeroproxy.epoll;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Native;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * once.) {@code setFlag} is protected and the channel classes are final, so it is reached by
 * reflection; the version is pinned, and the epoll relay suite fails if this stops working.
 */
final class EpollSetKeeper {
    private static final Logger LOGGER = LoggerFactory.getLogger(EpollSetKeeper.class);
    /** The class declaring setFlag; package-private in Netty, hence looked up by name. */
    private static final String EPOLL_CHANNEL_CLASS = "io.netty.channel.epoll.AbstractEpollChannel";
    private static final Method SET_FLAG = findSetFlag();

    private EpollSetKeeper() { }

    private static Method findSetFlag() {
        try {
            Method setFlag = Class.forName(EPOLL_CHANNEL_CLASS).getDeclaredMethod("setFlag", int.class);
            setFlag.setAccessible(true);
            return setFlag;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("Cannot keep epoll channels in their epoll set ({}); connections may be aborted "
                    + "with epoll_ctl ENOENT after a half-close", e.toString());
            return null;
        }
    }

    /**
     * Adds EPOLLERR to {@code channel}'s interest set. Call before the channel is registered (the
     * flag then goes into the registration, at no cost), or on its event loop.
     */
    static void keepInEpollSet(Channel channel) {
        if (SET_FLAG == null || !SET_FLAG.getDeclaringClass().isInstance(channel)) {
            return;
        }
        try {
            SET_FLAG.invoke(channel, Native.EPOLLERR);
        } catch (InvocationTargetException e) {
            // The channel could not be armed (closed meanwhile): the relay finds out on its own.
            LOGGER.debug("Could not add EPOLLERR to {}: {}", channel, e.getCause().toString());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("setFlag was made accessible", e);
        }
    }
}
