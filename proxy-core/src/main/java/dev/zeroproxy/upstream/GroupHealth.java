package dev.zeroproxy.upstream;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.internal.FlightEvents;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running side of a group: its servers' active checks, the timers that end ejections and
 * drain deadlines, and the one place a server's state change is noticed and reported (to the
 * log and the proxy's listener), once per change. Lives from the proxy's start to its close.
 */
final class GroupHealth {
    private static final Logger LOGGER = LoggerFactory.getLogger(GroupHealth.class);

    private final UpstreamGroup group;
    /** The proxy's, between start and stop; null otherwise. */
    private volatile UpstreamRuntime runtime;

    GroupHealth(UpstreamGroup group) {
        this.group = group;
    }

    synchronized void start(UpstreamRuntime proxyRuntime, List<GroupServer> servers) {
        if (runtime != null) {
            throw new IllegalStateException("group " + group.name() + " already serves a running proxy"
                    + " (expected: one proxy at a time; close the other first)");
        }
        runtime = proxyRuntime;
        for (GroupServer server : servers) {
            added(server);
            // A group that served an earlier proxy may have missed a change while no proxy ran
            // (an ejection that ended): its listener now hears the state as it is.
            report(server, "the proxy started");
        }
    }

    synchronized void stop() {
        if (runtime == null) {
            return;
        }
        for (GroupServer server : group.currentServers()) {
            removed(server);
        }
        runtime = null;
    }

    boolean isRunning() {
        return runtime != null;
    }

    EventExecutorGroup timers() {
        return runtime.eventLoops();
    }

    Duration connectTimeout() {
        return runtime.connectTimeout();
    }

    /** Starts checking {@code server}, if the group checks and runs. */
    synchronized void added(GroupServer server) {
        UpstreamRuntime now = runtime;
        HealthCheck check = server.spec().effectiveCheck(group.healthCheck().orElse(null));
        if (check == null && !server.checksUp()) {
            // No longer checked (an update took its checks away): taken as up, as an unchecked server is.
            server.checksUp(true);
            report(server, "no longer checked");
        }
        if (now == null || check == null || server.checker != null) {
            return;
        }
        server.checker = new HealthChecker(now.eventLoops().next(), now.transport().socketChannelFactory(),
                server.address(), server.spec().sourceAddress().orElse(null), check, new HealthChecker.Listener() {
                    @Override
                    public void checked(CheckResult result) {
                        server.lastCheck(result);
                    }

                    @Override
                    public void stateChanged(boolean up, String reason) {
                        server.checksUp(up);
                        report(server, reason);
                    }
                });
        // As the checks last found it: a server down when the previous proxy closed stays down
        // until it passes `rise` checks.
        server.checker.start(server.checksUp());
    }

    /** Checks {@code server} with the settings it has now: after a group update changed them. */
    synchronized void recheck(GroupServer server) {
        removed(server);
        added(server);
    }

    /** Stops checking {@code server}. */
    synchronized void removed(GroupServer server) {
        if (server.checker != null) {
            server.checker.stop();
            server.checker = null;
        }
    }

    /** Passive ejection took {@code server} out: reported now, and again when the ejection ends. */
    void ejected(GroupServer server, Throwable cause) {
        report(server, "ejected after " + group.passiveEjection().consecutiveFailures()
                + " failed connects in a row: " + Failures.describe(cause));
        long waitNanos = server.ejection.ejectedUntilNanos() - System.nanoTime();
        schedule(() -> {
            report(server, "ejection ended");
            group.slotFreed(server);
        }, Math.max(waitNanos, 0));
    }

    /** After {@code deadline}, cuts what is still open on {@code server} if this drain is still on. */
    void cutAfter(GroupServer server, Duration deadline) {
        int drain = server.drains();
        schedule(() -> {
            // Not an earlier drain's timer: the server was enabled and drained again since.
            if (server.state() == ServerState.DRAINING && server.drains() == drain) {
                int cut = server.cutConnections();
                LOGGER.info("Upstream group {}: server {} drain deadline {} passed, cut {} connection(s)",
                        group.name(), server, deadline, cut);
            }
        }, deadline.toNanos());
    }

    private void schedule(Runnable task, long delayNanos) {
        UpstreamRuntime now = runtime;
        if (now == null) {
            return;
        }
        try {
            now.eventLoops().next().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // The proxy is closing: nothing left to end or cut.
        }
    }

    /**
     * Reports {@code server}'s state if it changed since the last report: logged, and heard by
     * the proxy's listener. A server marked down has its connections cut if the group says so.
     */
    void report(GroupServer server, String reason) {
        ServerStateChange change;
        synchronized (this) {
            ServerState state = server.state();
            if (state == server.reported) {
                return;
            }
            change = new ServerStateChange(group.name(), server.name(), server.address(), server.reported, state,
                    reason);
            server.reported = state;
            LOGGER.info("Upstream group {}", change);
            FlightEvents.serverStateChanged(change);
            UpstreamRuntime now = runtime;
            ProxyListener listener = now == null ? ProxyListener.NOOP : now.listener();
            try {
                // Under the lock, so that the listener hears the changes in the order they were made.
                listener.serverStateChanged(change);
            } catch (RuntimeException e) {
                LOGGER.warn("ProxyListener.serverStateChanged threw; ignored", e);
            }
        }
        if (change.to() == ServerState.DOWN && group.closesConnectionsOnDown()) {
            int cut = server.cutConnections();
            LOGGER.info("Upstream group {}: cut {} connection(s) of {}, marked down", group.name(), cut, server);
        }
        if (change.to() == ServerState.UP) {
            group.slotFreed(server);
        }
    }
}
