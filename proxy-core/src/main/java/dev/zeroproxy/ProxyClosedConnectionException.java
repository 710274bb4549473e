package dev.zeroproxy;

import dev.zeroproxy.internal.DurationText;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The proxy itself ended a connection that had not failed: it sat idle too long, or it was
 * still open when {@link Proxy#close()}'s drain period ran out. Reported as
 * {@link ConnectionSummary#cause()}.
 *
 * <p>What the peers see, for either reason: each side gets what the proxy had already read for
 * it, then a reset, so that a stream cut mid-way never reads as complete (docs/reliability.md,
 * "Closes the proxy decides").
 */
public final class ProxyClosedConnectionException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the proxy closed the connection. */
    public enum Reason {
        /** No byte moved either way for {@link ProxyConfig#idleTimeout()}. */
        IDLE_TIMEOUT,
        /** One side had ended its direction, and no byte moved for {@link ProxyConfig#halfClosedTimeout()}. */
        HALF_CLOSED_TIMEOUT,
        /** Still open when {@link ProxyConfig#drainTimeout()} ran out during {@link Proxy#close()}. */
        DRAIN_TIMEOUT,
        /** Still open when the thread draining in {@link Proxy#close()} was interrupted, ending the drain early. */
        DRAIN_INTERRUPTED,
        /**
         * Its upstream group took its server out of service and cut the server's connections:
         * the server was marked down (with {@code closeConnectionsOnDown}), or its drain deadline passed.
         */
        SERVER_OUT_OF_SERVICE,
        /**
         * Closed through its {@link ConnectionHandle#close()}: each side got what was read for it,
         * then a FIN.
         */
        CLOSED_BY_OPERATOR,
        /** Reset through its {@link ConnectionHandle#reset()}: each side got a reset. */
        RESET_BY_OPERATOR,
        /**
         * Closed through its {@link ConnectionHandle#close(Duration)}, and reset when a side had
         * not taken its bytes by the close's deadline.
         */
        CLOSE_DEADLINE
    }

    private final Reason reason;

    /** Creates the exception for {@code reason}, naming the limit that ran out. */
    public ProxyClosedConnectionException(Reason reason, Duration limit) {
        super(message(Objects.requireNonNull(reason, "reason"), limit));
        this.reason = reason;
    }

    private static String message(Reason reason, Duration limitValue) {
        String limit = limitValue == null ? "-" : DurationText.format(limitValue);
        return switch (reason) {
            case IDLE_TIMEOUT -> "idle for " + limit + " (idleTimeout)";
            case HALF_CLOSED_TIMEOUT -> "half-closed and idle for " + limit + " (halfClosedTimeout)";
            case DRAIN_TIMEOUT -> "still open after " + limit + " of draining (drainTimeout)";
            case DRAIN_INTERRUPTED -> "still open when the drain was ended early, after " + limit;
            case SERVER_OUT_OF_SERVICE -> "its upstream server was taken out of service";
            case CLOSED_BY_OPERATOR -> "closed through its connection handle";
            case RESET_BY_OPERATOR -> "reset through its connection handle";
            case CLOSE_DEADLINE -> "closed through its connection handle, and reset when a side had not taken its bytes after "
                    + limit;
        };
    }

    /** Why the proxy closed the connection. */
    public Reason reason() {
        return reason;
    }
}
