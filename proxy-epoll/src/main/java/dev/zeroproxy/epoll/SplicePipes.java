package dev.zeroproxy.epoll;

import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an epoll channel its splice pipe up front, with the capacity asked for.
 *
 * <p>Why: Netty creates the pipe into a splice target lazily, at the system default of 64 KiB,
 * and moves at most one pipeful per event-loop turn: a splice in, a splice out and an
 * {@code epoll_wait} for every 64 KiB. A 1 MiB pipe moves sixteen times as much per turn, which
 * more than halved the proxy process's CPU per GB spliced here (docs/benchmarks.md). Netty has no API
 * for the size, so the pipe is created here, sized with {@code fcntl(F_SETPIPE_SZ)}, and put in
 * the channel's private pipe fields by reflection before the first splice; from then on Netty
 * uses it and closes it with the channel, as it would its own. The version is pinned, and the
 * epoll tests read the capacity back from the kernel, so a Netty change that breaks this fails
 * the build rather than silently reverting to small pipes.
 *
 * <p>If anything here is unavailable or refused, the channel keeps a pipe of the kernel's default
 * size and one warning says why: a smaller pipe is slower, never wrong. Enlarged pipes are kept
 * within a {@link PipeBudget}, so that many spliced connections cannot push this user past the
 * kernel's per-user pipe limit, where every new pipe would shrink to 8 KiB.
 */
final class SplicePipes {
    private static final Logger LOGGER = LoggerFactory.getLogger(SplicePipes.class);
    /** Declared before the fields below, whose initialisers may warn. */
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final AtomicBoolean BUDGET_SPENT_NOTED = new AtomicBoolean();
    private static final Field PIPE_IN = pipeField("pipeIn");
    private static final Field PIPE_OUT = pipeField("pipeOut");
    /** Why fcntl cannot be called here, or null. */
    private static final Throwable FCNTL_UNAVAILABLE = probeFcntl();

    private SplicePipes() { }

    private static Field pipeField(String name) {
        try {
            Field field = AbstractEpollStreamChannel.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce("Netty's AbstractEpollStreamChannel." + name + " is not accessible (" + e + ")");
            return null;
        }
    }

    private static Throwable probeFcntl() {
        try {
            return LibC.unavailabilityCause();
        } catch (LinkageError noJna) {
            return noJna;
        }
    }

    /**
     * Creates {@code sink}'s splice pipe with about {@code capacity} bytes, unless it has one
     * already (an earlier splice into it made it). Call on the channel's event loop, before the
     * first splice into it.
     *
     * @param budget the enlarged capacity this process may still hold; when the pipe does not
     *     fit, the channel is left to Netty's default pipe
     */
    static void install(AbstractEpollStreamChannel sink, int capacity, PipeBudget budget) {
        if (PIPE_IN == null || PIPE_OUT == null || FCNTL_UNAVAILABLE != null) {
            if (FCNTL_UNAVAILABLE != null) {
                warnOnce("JNA cannot call fcntl here (" + FCNTL_UNAVAILABLE + ")");
            }
            return;
        }
        long charged = PipeBudget.kernelCapacity(capacity);
        try {
            if (!sink.isOpen() || PIPE_OUT.get(sink) != null) {
                // Closed: Netty's close has already run and would never close a pipe set now.
                return;
            }
            if (!budget.tryAcquire(charged)) {
                // Past the budget: Netty's own default pipe, as every splice had before.
                noteBudgetSpentOnce(budget);
                return;
            }
            FileDescriptor[] pipe = FileDescriptor.pipe();
            if (resize(pipe[1], capacity) < 0) {
                budget.release(charged);
            } else {
                sink.closeFuture().addListener(closed -> budget.release(charged));
            }
            PIPE_IN.set(sink, pipe[0]);
            PIPE_OUT.set(sink, pipe[1]);
        } catch (IOException e) {
            budget.release(charged);
            warnOnce("pipe() failed (" + e + ")");
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("the pipe fields were made accessible", e);
        }
    }

    /** The read end of {@code channel}'s splice pipe, or null if it has none (or the field is out of reach). */
    static FileDescriptor pipeIn(AbstractEpollStreamChannel channel) {
        if (PIPE_IN == null) {
            return null;
        }
        try {
            return (FileDescriptor) PIPE_IN.get(channel);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("the pipe fields were made accessible", e);
        }
    }

    private static void noteBudgetSpentOnce(PipeBudget budget) {
        if (BUDGET_SPENT_NOTED.compareAndSet(false, true)) {
            LOGGER.info("{} MiB of enlarged splice pipes are open, half of this user's pipe-user-pages-soft:"
                    + " further splices use 64 KiB pipes until some close. Not logged again.",
                    budget.limitBytes() >> 20);
        }
    }

    /**
     * Asks the kernel for {@code capacity} bytes in {@code pipe}; a refusal is logged once and
     * leaves the pipe as it was.
     *
     * @return the pipe's capacity afterwards, or -1 if the kernel refused
     */
    static int resize(FileDescriptor pipe, int capacity) {
        int result = LibC.setPipeSize(pipe.intValue(), capacity);
        if (result < 0) {
            warnOnce("the kernel refused a splice pipe of " + capacity + " bytes (errno " + -result
                    + "; EPERM: above /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE, or this user is past"
                    + " /proc/sys/fs/pipe-user-pages-soft); ask for a smaller pipe (ProxyBuilder.splicePipeSize, or the"
                    + " forwarder's --splice-pipe-size)");
            return -1;
        }
        return result;
    }

    private static void warnOnce(String why) {
        if (WARNED.compareAndSet(false, true)) {
            LOGGER.warn("Splice pipes keep the size the kernel gave them (64 KiB by default), which costs more"
                    + " CPU per byte: {}. Further cases are not logged.", why);
        }
    }
}
