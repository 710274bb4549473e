package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.ServerStateChange;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's connection events, logged once each and counted for the stop summary.
 *
 * <ul>
 *   <li>At the default level (INFO), one line per failed upstream connect (WARN), idle-timeout
 *       close (INFO) and drain cut (WARN), each kind at most once a second with a count of the
 *       lines left out, and never a stack trace.
 *   <li>At DEBUG ({@code --log-level debug}), one line per connection as it closes, with its
 *       bytes each way and how it ended, and one per connect attempt that failed and was retried.
 *   <li>One line per server state change (WARN when a server goes down).
 * </ul>
 *
 * <p>A connection's network error (a reset, a refused connect) is never logged with its stack
 * trace: it is the peer's doing, not a bug, and one line says it.
 *
 * <p>Called on the proxy's event loops, so it only logs and counts. Thread-safe.
 */
final class ForwarderListener implements ProxyListener {
    private static final Logger LOGGER = LoggerFactory.getLogger(ForwarderListener.class);

    private final LongAdder closed = new LongAdder();
    private final LongAdder served = new LongAdder();
    private final LongAdder connectFailed = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder cutByDrainTimeout = new LongAdder();
    private final LongAdder cutByForcedStop = new LongAdder();
    private final LongAdder cutOtherwise = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final RateLimitedLog connectFailures = new RateLimitedLog(
            n -> LOGGER.warn("{} more upstream connect failure(s) since the last such line", n));
    private final RateLimitedLog idleCloses = new RateLimitedLog(
            n -> LOGGER.info("{} more connection(s) closed (reset) by an idle timeout since the last such line", n));
    private final RateLimitedLog drainCuts = new RateLimitedLog(
            n -> LOGGER.warn("{} more connection(s) cut (reset) by the drain timeout or the forced stop since the last such line", n));

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        retried.increment();
        LOGGER.debug("{}: connect attempt failed, trying again: {}", connection, describe(cause));
    }

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        connectFailed.increment();
        connectFailures.log(more -> LOGGER.warn("{}: upstream connect failed: {}{}", connection, describe(cause), more));
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        closed.increment();
        Throwable cause = summary.cause();
        switch (summary.termination()) {
            case COMPLETED -> served.increment();
            // Counted when upstreamConnectFailed was heard; never served.
            case CONNECT_FAILED -> { }
            case IDLE_TIMEOUT, HALF_CLOSED_TIMEOUT -> {
                idleClosed.increment();
                idleCloses.log(more -> LOGGER.info("{}: closed (reset) after {}: {}{}", connection,
                        DurationConverter.format(summary.duration()),
                        cause == null ? summary.termination() : describe(cause), more));
            }
            case DRAIN_TIMEOUT -> {
                boolean forced = cause instanceof ProxyClosedConnectionException byProxy
                        && byProxy.reason() == ProxyClosedConnectionException.Reason.DRAIN_INTERRUPTED;
                (forced ? cutByForcedStop : cutByDrainTimeout).increment();
                drainCuts.log(more -> LOGGER.warn("{}: cut (reset) by the {}, {} B up and {} B down so far{}",
                        connection, forced ? "forced stop" : "drain timeout",
                        summary.bytesFromClient(), summary.bytesFromUpstream(), more));
            }
            case SERVER_OUT_OF_SERVICE, CLOSED_BY_OPERATOR, RESET_BY_OPERATOR -> cutOtherwise.increment();
            case CLIENT_ABORTED, UPSTREAM_ABORTED -> { }
        }
        if (LOGGER.isDebugEnabled()) {
            LOGGER.debug("{}: closed after {} ms, {} B up, {} B down, {}", connection, summary.duration().toMillis(),
                    summary.bytesFromClient(), summary.bytesFromUpstream(),
                    cause == null ? "ended cleanly" : describe(cause));
        }
    }

    @Override
    public void connectionRefused(ConnectionRefusal refusal) {
        refused.increment();
    }

    /**
     * One line per state change of a server: WARN when it goes down (the forwarder lost
     * capacity), INFO otherwise. The group's own line about it is silenced by {@link ForwarderLogging}.
     */
    @Override
    public void serverStateChanged(ServerStateChange change) {
        if (change.to() == ServerState.DOWN) {
            LOGGER.warn("zeroproxy server {}", change);
        } else {
            LOGGER.info("zeroproxy server {}", change);
        }
    }

    /**
     * Netty's native errors read "finishConnect(..) failed with error(-111): Connection refused:
     * host/ip:port"; the line already names the connection, so only the reason is kept.
     */
    private static final Pattern NATIVE_ERROR = Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-\\d+\\): ([^:]+)(: .*)?$");

    /**
     * An exception in one line: the operating system's reason, found through the causes too (a
     * socket that could not be made reaches here wrapped, its message the native error's
     * {@code toString()}), else its message, its type only when it has none.
     */
    static String describe(Throwable cause) {
        // A few levels at most: a cycle of causes is legal (initCause refuses only itself).
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            String message = t.getMessage();
            Matcher nativeError = message == null ? null : NATIVE_ERROR.matcher(message);
            if (nativeError != null && nativeError.matches()) {
                return nativeError.group(1);
            }
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        return message;
    }

    /** Reports the lines the rate limits left out and have not reported yet: before the stop summary. */
    void flushLeftOutLines() {
        connectFailures.flush();
        idleCloses.flush();
        drainCuts.flush();
    }

    /**
     * The stop summary's account of the connections, e.g. "12 connection(s): 9 served, ...".
     * Served means completed cleanly both ways: a connection that never reached its upstream,
     * or that a peer reset, is not.
     */
    String summary() {
        long cut = idleClosed.sum() + cutByDrainTimeout.sum() + cutByForcedStop.sum() + cutOtherwise.sum();
        long ended = served.sum() + connectFailed.sum() + cut;
        return closed.sum() + " connection(s): " + served.sum() + " served, " + connectFailed.sum()
                + " failed to reach the upstream, " + Math.max(0, closed.sum() - ended) + " ended by an error, "
                + cut + " cut (" + idleClosed.sum() + " idle, " + cutByDrainTimeout.sum() + " by the drain timeout, "
                + cutByForcedStop.sum() + " by the forced stop"
                + (cutOtherwise.sum() > 0 ? ", " + cutOtherwise.sum() + " by the operator or a server leaving service"
                        : "")
                + "); " + retried.sum() + " connect attempt(s) retried"
                + (refused.sum() > 0 ? "; " + refused.sum() + " refused at the edge" : "");
    }

    /** Connections closed because they were still open when draining ran out of time. */
    long cutByDrainTimeout() {
        return cutByDrainTimeout.sum();
    }

    /** Connections cut because they were still open when a second SIGINT/SIGTERM ended the drain. */
    long cutByForcedStop() {
        return cutByForcedStop.sum();
    }
}
