package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's set-up phase: select a server, connect to it, and on failure select again,
 * up to the upstream's retries and within one overall deadline; then hand the connected channel
 * to the {@link Relay}, or tell it that no upstream could be had.
 *
 * <p>Nothing of the client's bytes passes through here: what the client sends meanwhile is held
 * by the relay's client pump ({@link HeldReads}) and forwarded once, to the channel this hands
 * over, so bytes are never duplicated across attempts nor lost. An attempt's channel carries only
 * {@link ConnectingHandler} until then.
 *
 * <p>One per connection, dropped once the relay has its upstream. Runs on the connection's event
 * loop; {@link #connect} and {@link #refuse} may be called from any thread (a group's queue) and
 * move to the loop.
 */
final class UpstreamConnector implements UpstreamAttempt {
    private static final Logger LOGGER = LoggerFactory.getLogger(UpstreamConnector.class);

    private final ProxyServer server;
    private final Relay relay;
    private final EventLoop loop;
    /** The upstream {@link Upstream#route} chose for this connection; set by {@link #start}. */
    private Upstream upstream;
    private long deadlineNanos;
    /** The routed upstream's connect timeout, or the proxy's. */
    private long perAttemptNanos;
    private int number;
    private List<UpstreamLease> failed = List.of();
    /** The current attempt was answered (connect or refuse); a second answer is a bug of the upstream. */
    private boolean answered;
    /** Set from the loop when the connection stops wanting an upstream; read by queues on any thread. */
    private volatile boolean abandoned;
    /** The connect in flight, and its lease and timeout. */
    private ChannelFuture connect;
    private UpstreamLease lease;
    private ScheduledFuture<?> attemptTimeout;
    /** The attempt's flight event while it runs; null when not recorded. */
    private Object attemptEvent;
    /** The overall deadline's timer, while an attempt waits in the upstream's queue. */
    private ScheduledFuture<?> deadlineTimer;

    UpstreamConnector(Relay relay) {
        this.server = relay.generation().server();
        this.relay = relay;
        this.loop = relay.eventLoop();
    }

    /**
     * Asks the proxy's upstream where this connection goes, then starts the first attempt. A
     * route that throws (or names no upstream) refuses the connection, as a select that throws
     * does: the client is reset and the failure reported, rather than the initializer's error
     * closing it with a clean EOF. On the loop.
     */
    void start() {
        try {
            upstream = Objects.requireNonNull(relay.config().upstream().route(relay.info()),
                    "Upstream.route returned null (expected: the upstream to serve the connection)");
            perAttemptNanos = upstream.connectTimeout().orElse(relay.config().connectTimeout()).toNanos();
            deadlineNanos = System.nanoTime() + perAttemptNanos * (upstream.retries() + 1L);
        } catch (RuntimeException e) {
            LOGGER.warn("{}: Upstream.route failed; the connection is refused", relay.info(), e);
            answered = true;
            giveUp(relay.info(), e);
            return;
        }
        nextAttempt();
    }

    private void nextAttempt() {
        number++;
        answered = false;
        try {
            upstream.select(this);
        } catch (RuntimeException e) {
            LOGGER.warn("{}: Upstream.select threw; the connection is refused", relay.info(), e);
            if (!answered) {
                refuse(e);
            }
            return;
        }
        if (!answered && deadlineTimer == null && !abandoned) {
            // Queued by the upstream: the wait is bounded by the connection's deadline too.
            deadlineTimer = loop.schedule(this::deadlinePassed, Math.max(0, deadlineNanos - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public ConnectionInfo connection() {
        return relay.info();
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public List<UpstreamLease> failedBefore() {
        return failed;
    }

    @Override
    public boolean isAbandoned() {
        return abandoned;
    }

    @Override
    public void connect(UpstreamLease chosen) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> connect(chosen));
            } catch (RejectedExecutionException stopped) {
                // The proxy's loops have stopped: the connection is gone, the slot goes back.
                chosen.released();
            }
            return;
        }
        if (abandoned) {
            chosen.released();
            return;
        }
        answer();
        lease = chosen;
        relay.attemptBegun();
        InetSocketAddress address = chosen.address();
        ConnectionInfo info = relay.info().withUpstream(address, upstream.name(), chosen.serverName());
        InetSocketAddress source = chosen.sourceAddress() != null ? new InetSocketAddress(chosen.sourceAddress(), 0)
                : relay.generation().sourceAddress(info.originalClient(), address);
        connect = server.upstreamBootstrap(source != null).clone(loop)
                .handler(ConnectingHandler.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                .connect(server.connectAddress(address), source);
        if (connect.isDone() && !connect.isSuccess() && !connect.channel().isRegistered()) {
            // No socket (out of descriptors): Netty's placeholder channel is registered nowhere
            // and cannot be closed; retrying elsewhere would fail the same way.
            ChannelFuture noSocket = connect;
            connect = null;
            attemptFailed(info, noSocket.cause(), false);
            return;
        }
        server.channelOpened(connect.channel());
        relay.attemptStarted(connect.channel());
        attemptEvent = FlightEvents.attemptStarted();
        if (!connect.isDone()) {
            long timeoutNanos = Math.min(perAttemptNanos,
                    Math.max(deadlineNanos - System.nanoTime(), 0));
            attemptTimeout = loop.schedule(() -> attemptTimedOut(info, timeoutNanos), timeoutNanos,
                    TimeUnit.NANOSECONDS);
        }
        connect.addListener((ChannelFutureListener) done -> attemptDone(info, done));
    }

    @Override
    public void refuse(Throwable cause) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> refuse(cause));
            } catch (RejectedExecutionException stopped) {
                // The proxy's loops have stopped: the connection is gone already.
            }
            return;
        }
        if (abandoned) {
            return;
        }
        answer();
        giveUp(relay.info(), cause);
    }

    private void answer() {
        if (answered) {
            throw new IllegalStateException("attempt " + number + " of " + relay.info()
                    + " was answered twice (expected: one connect or refuse per Upstream.select)");
        }
        answered = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    /** What Netty's own connect timeout does: fail the connect, then close its channel. */
    private void attemptTimedOut(ConnectionInfo info, long timeoutNanos) {
        attemptTimeout = null;
        if (connect instanceof ChannelPromise pending && pending.tryFailure(new ConnectTimeoutException(
                "connection timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms: "
                        + info.upstream()))) {
            pending.channel().close();
        }
    }

    private void attemptDone(ConnectionInfo info, ChannelFuture done) {
        connect = null;
        if (attemptTimeout != null) {
            attemptTimeout.cancel(false);
            attemptTimeout = null;
        }
        FlightEvents.attemptEnded(attemptEvent, info, number, done.isSuccess() ? null : done.cause(),
                abandoned && done.cause() instanceof ClosedChannelException);
        attemptEvent = null;
        if (done.isSuccess()) {
            UpstreamLease connected = lease;
            lease = null;
            relay.upstreamConnected(done.channel(), info, connected);
            return;
        }
        done.channel().close();
        if (abandoned && done.cause() instanceof ClosedChannelException) {
            // The proxy closed the channel itself (a cut, the drain): the server did not fail,
            // and nobody is told it did.
            UpstreamLease cancelled = lease;
            lease = null;
            relay.attemptEnded();
            notifyLease(cancelled, UpstreamLease::released);
            relay.setupCancelled();
            return;
        }
        attemptFailed(info, done.cause(), true);
    }

    /** One attempt failed: another follows if the upstream allows one and the connection still wants it. */
    private void attemptFailed(ConnectionInfo info, Throwable cause, boolean retryable) {
        UpstreamLease failedLease = lease;
        lease = null;
        relay.attemptEnded();
        notifyLease(failedLease, l -> l.failed(cause));
        boolean retry = retryable && !abandoned && number <= upstream.retries()
                && deadlineNanos - System.nanoTime() > 0;
        if (!retry) {
            giveUp(info, cause);
            return;
        }
        LOGGER.debug("{}: attempt {} failed, retrying: {}", info, number, cause.toString());
        relay.notifyListener("upstreamAttemptFailed", l -> l.upstreamAttemptFailed(info, cause));
        if (failed.isEmpty()) {
            failed = new ArrayList<>(2);
        }
        failed.add(failedLease);
        nextAttempt();
    }

    private void giveUp(ConnectionInfo info, Throwable cause) {
        abandoned = true;
        relay.connectFailed(info, cause);
    }

    /** The overall deadline passed while the attempt waited in the upstream's queue. */
    private void deadlinePassed() {
        deadlineTimer = null;
        if (answered || abandoned) {
            return;
        }
        answered = true;
        giveUp(relay.info(), new ConnectTimeoutException("no upstream server took the connection within "
                + TimeUnit.NANOSECONDS.toMillis(deadlineNanos - relay.startNanos()) + " ms"));
    }

    /**
     * The relay is closing (its client left, the proxy cut it): no further attempt, and a queued
     * one is given up. A connect in flight is let finish; the relay decides what its channel gets.
     */
    void abandon() {
        abandoned = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    /** Whether a connect is in flight. */
    boolean isConnecting() {
        return connect != null;
    }

    private void notifyLease(UpstreamLease target, Consumer<UpstreamLease> call) {
        if (target == null) {
            return;
        }
        try {
            call.accept(target);
        } catch (RuntimeException e) {
            LOGGER.warn("{}: UpstreamLease threw; ignored", relay.info(), e);
        }
    }
}
