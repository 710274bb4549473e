package dev.zeroproxy.epoll;

import io.netty.channel.Channel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds flags to an epoll channel's interest set, through Netty's own {@code setFlag}.
 *
 * <p>Why reflection: {@code setFlag} is protected and Netty's channel classes are final, so no
 * subclass can reach it. Called before the channel is registered, the flag only changes the
 * channel's recorded interest set, which Netty's registration then hands to {@code EPOLL_CTL_ADD}
 * as a whole: the flag costs no system call of its own. The Netty version is pinned, and the
 * epoll relay suite (and the system-call counts of proxy-bench/scripts/syscalls-per-conn.sh)
 * show if this stops working.
 */
final class EpollInterest {
    private static final Logger LOGGER = LoggerFactory.getLogger(EpollInterest.class);
    /** The class declaring setFlag; package-private in Netty, hence looked up by name. */
    private static final String EPOLL_CHANNEL_CLASS = "io.netty.channel.epoll.AbstractEpollChannel";
    private static final Method SET_FLAG = findSetFlag();

    private EpollInterest() { }

    private static Method findSetFlag() {
        try {
            Method setFlag = Class.forName(EPOLL_CHANNEL_CLASS).getDeclaredMethod("setFlag", int.class);
            setFlag.setAccessible(true);
            return setFlag;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("Cannot set epoll interest flags before registration ({}); connections may be aborted "
                    + "with epoll_ctl ENOENT after a half-close, and cost more epoll_ctl calls", e.toString());
            return null;
        }
    }

    /**
     * Adds {@code flag} to {@code channel}'s interest set. Call before the channel is registered
     * (the flag then rides the registration), or on its event loop. Does nothing for a channel
     * that is not an epoll one, or when setFlag could not be found (logged once).
     */
    static void add(Channel channel, int flag) {
        if (SET_FLAG == null || !SET_FLAG.getDeclaringClass().isInstance(channel)) {
            return;
        }
        try {
            SET_FLAG.invoke(channel, flag);
        } catch (InvocationTargetException e) {
            // The channel could not be armed (closed meanwhile): the relay finds out on its own.
            LOGGER.debug("Could not add epoll flag {} to {}: {}", flag, channel, e.getCause().toString());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("setFlag was made accessible", e);
        }
    }
}
