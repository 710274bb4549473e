package dev.zeroproxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active health checks of one server, on one event loop, and decides whether it is up
 * the way HAProxy does: while up, {@link HealthCheck#fall()} failed checks in a row take it down;
 * while down, {@link HealthCheck#rise()} passed checks in a row bring it up. A result that agrees
 * with the state resets the other count.
 *
 * <p>At most one check is in flight. The next one starts an {@linkplain HealthCheck#interval()
 * interval} (± {@linkplain HealthCheck#jitter() jitter}) after the previous one <em>finished</em>,
 * so a slow server is never checked by overlapping probes; the first starts after a random
 * fraction of the interval, so that the servers of a group, started together, are not checked
 * in step.
 *
 * <p><b>Callbacks.</b> {@link Listener} methods run on the loop, one at a time, {@code checked}
 * for every check and then, if the state changed, {@code stateChanged}. A listener that throws is
 * logged and the checks go on.
 *
 * <p><b>Stopping.</b> {@link #stop()} may be called from any thread, any number of times, also
 * from a callback. It sets a flag that every callback tests right before it begins, then (on the
 * loop) cancels the timer and closes the channel of a check in flight. So: called on the loop,
 * no callback runs after it returns; called from another thread, no callback begins after it
 * returns except one that had already passed that test at the instant of the call (it may be
 * running, or about to run), and none at all once the stop task has run on the loop. Stopping
 * does not wait for a running callback: waiting could deadlock a caller holding a lock that the
 * callback takes. A checker is not restartable.
 *
 * <p>The target is connected as given: a name is never resolved here, since the lookup would
 * block the loop, so an {@linkplain InetSocketAddress#isUnresolved() unresolved} address fails
 * every check.
 */
final class HealthChecker {
    private static final Logger LOGGER = LoggerFactory.getLogger(HealthChecker.class);

    /** Hears a checker's results. Called on its event loop: must be fast and must not block. */
    interface Listener {
        /** Every check's result, in order. */
        void checked(CheckResult result);

        /**
         * The server went up or down; {@code reason} reads e.g.
         * {@code "3 consecutive checks failed: connection refused"}.
         */
        void stateChanged(boolean up, String reason);
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress target;
    private final HealthCheck settings;
    private final Listener listener;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopped;
    /** Written on the loop only; volatile so that {@link #isUp()} may read it anywhere. */
    private volatile boolean up;

    // Confined to the loop.
    private int passedInARow;
    private int failedInARow;
    private ScheduledFuture<?> nextCheck;
    private HealthProbe inFlight;

    /**
     * @param source the local address checks leave from, as the server's connections do (HAProxy's
     *     {@code source}); null for the kernel's choice
     */
    HealthChecker(EventLoop loop, ChannelFactory<? extends Channel> channels, InetSocketAddress target,
            InetAddress source, HealthCheck settings, Listener listener) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.target = Objects.requireNonNull(target, "target");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(Objects.requireNonNull(channels, "channels"))
                // Never block the loop on a name lookup (see the class comment).
                .resolver(NoopAddressResolverGroup.INSTANCE)
                // One deadline for the whole check, the probe's own; Netty's would only cover the connect.
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                .option(ChannelOption.AUTO_READ, true);
        if (source != null) {
            bootstrap.localAddress(new InetSocketAddress(source, 0));
        }
    }

    /**
     * Starts checking.
     *
     * @param initiallyUp the state before the first check: up needs {@code fall} failures to go
     *     down, down needs {@code rise} successes to come up
     * @throws IllegalStateException if called twice
     */
    void start(boolean initiallyUp) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("start(): already started (expected: one start() per checker)");
        }
        up = initiallyUp;
        onLoop(() -> {
            if (!stopped) {
                long interval = settings.interval().toNanos();
                schedule((long) (interval * ThreadLocalRandom.current().nextDouble()));
            }
        });
    }

    /** Stops checking; see the class comment for which callbacks may still run. Idempotent. */
    void stop() {
        stopped = true;
        onLoop(this::stopOnLoop);
    }

    /** The current state, as last decided; readable from any thread. */
    boolean isUp() {
        return up;
    }

    private void stopOnLoop() {
        if (nextCheck != null) {
            nextCheck.cancel(false);
            nextCheck = null;
        }
        if (inFlight != null) {
            inFlight.abort();
            inFlight = null;
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: its timers die with it and it closes its channels.
            LOGGER.debug("Health checks of {}: event loop shut down", target);
        }
    }

    private void schedule(long delayNanos) {
        try {
            nextCheck = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOGGER.debug("Health checks of {}: event loop shut down", target);
        }
    }

    private void check() {
        nextCheck = null;
        if (stopped) {
            return;
        }
        // Assigned before start(): a check that fails at once reports (and clears inFlight) inside it.
        inFlight = new HealthProbe(loop, bootstrap, target, settings, this::completed);
        inFlight.start();
    }

    private void completed(CheckResult result) {
        inFlight = null;
        if (stopped) {
            return;
        }
        LOGGER.trace("Health check of {} {}", target, result);
        notifyListener("checked", () -> listener.checked(result));
        if (result.ok()) {
            failedInARow = 0;
            if (!up && ++passedInARow >= settings.rise()) {
                passedInARow = 0;
                changeState(true, inARow(settings.rise(), "passed") + result.detail());
            }
        } else {
            passedInARow = 0;
            if (up && ++failedInARow >= settings.fall()) {
                failedInARow = 0;
                changeState(false, inARow(settings.fall(), "failed") + result.detail());
            }
        }
        if (!stopped) {
            schedule(nextDelayNanos());
        }
    }

    private void changeState(boolean nowUp, String reason) {
        up = nowUp;
        LOGGER.debug("Health checks: {} is {}: {}", target, nowUp ? "up" : "down", reason);
        notifyListener("stateChanged", () -> listener.stateChanged(nowUp, reason));
    }

    private static String inARow(int count, String outcome) {
        return count == 1 ? "check " + outcome + ": " : count + " consecutive checks " + outcome + ": ";
    }

    /** {@code interval × (1 ± jitter × random)}. */
    private long nextDelayNanos() {
        double spread = settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return (long) (settings.interval().toNanos() * (1 + spread));
    }

    private void notifyListener(String method, Runnable call) {
        if (stopped) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            LOGGER.warn("Health check listener of {} threw from {}; checks go on", target, method, e);
        }
    }
}
