package dev.zeroproxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One health check of one server: connect, write {@link HealthCheck#send()}, read and compare
 * {@link HealthCheck#expect()}, close. The verdict is reported once, to {@code done}, unless the
 * probe is {@linkplain #abort() aborted} first; either way the channel is closed.
 *
 * <p>Confined to its event loop: every method must be called on it. Nothing here blocks: the
 * connect, the write and the reads are Netty's, and the one deadline is a timer of the loop.
 */
final class HealthProbe {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress target;
    private final HealthCheck settings;
    private final Consumer<CheckResult> done;
    private final Instant at = Instant.now();
    private final long startNanos = System.nanoTime();
    private ProbeReplyHandler handler;
    private Channel channel;
    private ScheduledFuture<?> deadline;
    private boolean connected;
    private boolean finished;

    /**
     * @param bootstrap a template with the loop, the channel factory and the options; cloned
     */
    HealthProbe(EventLoop loop, Bootstrap bootstrap, InetSocketAddress target, HealthCheck settings,
            Consumer<CheckResult> done) {
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.target = target;
        this.settings = settings;
        this.done = done;
    }

    /** Starts the connect; the verdict may be reported before this returns (no socket could be made). */
    void start() {
        // Scheduled first so that it bounds the whole check, connect included.
        deadline = loop.schedule(this::timedOut, settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        handler = new ProbeReplyHandler(this, settings.expectBytes());
        ChannelFuture connect = bootstrap.clone().handler(handler).connect(target);
        channel = connect.channel();
        if (connect.isDone() && !connect.isSuccess() && !channel.isRegistered()) {
            // No socket (out of descriptors): Netty hands back a placeholder registered nowhere,
            // whose future would notify on another thread and which cannot be closed.
            channel = null;
            failed(describe(connect.cause()));
            return;
        }
        connect.addListener((ChannelFutureListener) this::connectDone);
    }

    /** Ends the check without a verdict: cancels the deadline and closes the channel. */
    void abort() {
        if (!finished) {
            finished = true;
            closeAll();
        }
    }

    boolean isFinished() {
        return finished;
    }

    private void connectDone(ChannelFuture connect) {
        if (finished) {
            return; // timed out or aborted; the channel is closed already
        }
        if (!connect.isSuccess()) {
            failed(describe(connect.cause()));
            return;
        }
        connected = true;
        byte[] send = settings.sendBytes();
        if (send.length > 0) {
            // Wraps the settings' array without copying; Netty releases the wrapper once written.
            channel.writeAndFlush(Unpooled.wrappedBuffer(send)).addListener((ChannelFutureListener) write -> {
                if (!write.isSuccess()) {
                    failed("write failed: " + describe(write.cause()));
                } else if (!settings.expectsReply()) {
                    succeeded("connected, sent " + send.length + " bytes");
                }
            });
        } else if (!settings.expectsReply()) {
            succeeded("connected");
        }
        // With an expected reply, the handler decides.
    }

    private void timedOut() {
        deadline = null;
        String phase = !connected ? "connecting"
                : settings.expectsReply() ? "got " + handler.received() + " of " + settings.expectBytes().length
                        + " expected bytes"
                : "writing";
        failed("timed out after " + settings.timeout().toMillis() + " ms (" + phase + ")");
    }

    void succeeded(String detail) {
        finish(true, detail);
    }

    void failed(String detail) {
        finish(false, detail);
    }

    private void finish(boolean ok, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        closeAll();
        done.accept(new CheckResult(ok, Duration.ofNanos(System.nanoTime() - startNanos), detail, at));
    }

    private void closeAll() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * A failure in a few lower-case words: {@code "connection refused"}, without the address
     * Netty appends to connect errors (the checker's owner knows which server it checks).
     * A name the check would have to resolve is refused: the lookup would block the loop.
     */
    String describe(Throwable cause) {
        if (cause instanceof UnresolvedAddressException) {
            return "unresolved address (health checks never resolve names: the lookup would block the event loop)";
        }
        return Failures.describe(cause);
    }
}
