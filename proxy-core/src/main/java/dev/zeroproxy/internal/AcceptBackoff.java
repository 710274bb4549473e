package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a listening channel: an accept that fails (out of descriptors, {@code EMFILE} or
 * {@code ENFILE}; out of kernel memory) pauses accepting on that listener for
 * {@link #PAUSE_MILLIS} instead of retrying at once. The connection that could not be accepted
 * stays in the kernel's accept queue, so the listener stays readable and an immediate retry
 * would spin a core for as long as the shortage lasts; after the pause it is accepted like any
 * other, so the proxy recovers by itself as descriptors free up. The pairs already relayed are
 * untouched.
 *
 * <p>Netty's own acceptor pauses the same way, but then hands the error to the end of the
 * pipeline, which logs it with its stack trace at every failure; this handler keeps it and
 * logs one line a second at most, proxy-wide, with the count of failures since the last line.
 * One instance is shared by all of a proxy's listeners.
 */
@ChannelHandler.Sharable
final class AcceptBackoff extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(AcceptBackoff.class);
    /** How long a listener stops accepting after a failed accept; Netty's acceptor uses the same. */
    static final long PAUSE_MILLIS = 1_000;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final LongAdder unreported = new LongAdder();
    private final AcceptLimit limit;

    /** @param limit the connection limit, which a resume must not override */
    AcceptBackoff(AcceptLimit limit) {
        this.limit = limit;
    }

    private void resume(Channel listener) {
        // At the connection limit the listener stays paused; the limit resumes it when there is room.
        if (limit.allowsAccepting()) {
            listener.config().setAutoRead(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel listener = ctx.channel();
        if (!(cause instanceof IOException)) {
            // Not a failed accept(2) but a bug somewhere: its stack trace is worth having.
            LOGGER.warn("Unexpected error on listener {}; pausing it for {} ms", listener.localAddress(),
                    PAUSE_MILLIS, cause);
        }
        if (listener.config().isAutoRead()) {
            listener.config().setAutoRead(false);
            try {
                ctx.executor().schedule(() -> resume(listener), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                // The proxy is closing: the listener will not accept again anyway.
            }
        }
        if (!(cause instanceof IOException)) {
            return;
        }
        unreported.increment();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            LOGGER.warn("Accepting on {} failed {} time(s) since the last report ({}){}; that listener pauses"
                    + " for {} ms each time", listener.localAddress(), unreported.sumThenReset(), reason(cause),
                    isOutOfDescriptors(cause) ? ": out of file descriptors, see ulimit -n" : "", PAUSE_MILLIS);
        }
        // Not passed on: this is the whole handling (see the class comment).
    }

    /** The operating system's words for the failure, without Java class names. */
    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** EMFILE (this process) or ENFILE (the whole system): the case an operator can fix with a limit. */
    private static boolean isOutOfDescriptors(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        return message.contains("Too many open files") || message.contains("error(-24)") || message.contains("error(-23)");
    }
}
