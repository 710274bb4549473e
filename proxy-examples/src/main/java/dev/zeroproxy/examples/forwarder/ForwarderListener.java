package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyListener;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's connection events: each connection at DEBUG (a busy forwarder must not log
 * per connection by default), and a count of the connections that were still open when the
 * drain period ran out, for the shutdown summary.
 *
 * <p>Called on the proxy's event loops, so it only logs and counts. Thread-safe.
 */
final class ForwarderListener implements ProxyListener {
    private static final Logger LOGGER = LoggerFactory.getLogger(ForwarderListener.class);

    private final LongAdder cutByDrainTimeout = new LongAdder();
    private final LongAdder cutByForcedStop = new LongAdder();

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        LOGGER.debug("{}: upstream connect failed: {}", connection, cause.toString());
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        if (summary.cause() instanceof ProxyClosedConnectionException closed) {
            if (closed.reason() == ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT) {
                cutByDrainTimeout.increment();
            } else if (closed.reason() == ProxyClosedConnectionException.Reason.DRAIN_INTERRUPTED) {
                cutByForcedStop.increment();
            }
        }
        if (LOGGER.isDebugEnabled()) {
            LOGGER.debug("{}: closed after {} ms, {} B up, {} B down{}", connection, summary.duration().toMillis(),
                    summary.bytesFromClient(), summary.bytesFromUpstream(),
                    summary.failure().map(c -> ", " + c).orElse(""));
        }
    }

    /** Connections cut because they were still open when a second SIGINT/SIGTERM ended the drain. */
    long cutByForcedStop() {
        return cutByForcedStop.sum();
    }

    /** Connections closed because they were still open when draining ran out of time. */
    long cutByDrainTimeout() {
        return cutByDrainTimeout.sum();
    }
}
