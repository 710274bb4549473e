package dev.zeroproxy;

/**
 * How a proxied connection ended, as {@link ConnectionSummary#termination()} reports it: one
 * word for metrics tags and access logs, where {@link ConnectionSummary#cause()} has the detail.
 * A small fixed set, so it may be used as a metric tag.
 */
public enum Termination {
    /** Both directions ended cleanly: each side sent its EOF and everything before it was delivered. */
    COMPLETED,
    /** The client reset the connection or failed (an I/O error on the client's socket); the upstream was reset. */
    CLIENT_ABORTED,
    /** The upstream server reset the connection or failed; the client was reset. */
    UPSTREAM_ABORTED,
    /** No upstream could be had: every attempt failed or timed out, or the upstream refused it (no server, queue timeout). */
    CONNECT_FAILED,
    /** Nothing moved for the idle timeout. */
    IDLE_TIMEOUT,
    /** One direction had ended and nothing moved for the half-closed timeout. */
    HALF_CLOSED_TIMEOUT,
    /** Still open when the proxy's drain timed out (or was interrupted) at close. */
    DRAIN_TIMEOUT,
    /** Its upstream group took its server out of service. */
    SERVER_OUT_OF_SERVICE,
    /** Closed through {@link ConnectionHandle#close()}. */
    CLOSED_BY_OPERATOR,
    /**
     * Reset through {@link ConnectionHandle#reset()}, or by a {@link ConnectionHandle#close(java.time.Duration)}
     * whose deadline passed (the cause says which).
     */
    RESET_BY_OPERATOR;

    /** The termination a proxy-decided close with {@code reason} reports. */
    public static Termination of(ProxyClosedConnectionException.Reason reason) {
        return switch (reason) {
            case IDLE_TIMEOUT -> IDLE_TIMEOUT;
            case HALF_CLOSED_TIMEOUT -> HALF_CLOSED_TIMEOUT;
            case DRAIN_TIMEOUT, DRAIN_INTERRUPTED -> DRAIN_TIMEOUT;
            case SERVER_OUT_OF_SERVICE -> SERVER_OUT_OF_SERVICE;
            case CLOSED_BY_OPERATOR -> CLOSED_BY_OPERATOR;
            case RESET_BY_OPERATOR, CLOSE_DEADLINE -> RESET_BY_OPERATOR;
        };
    }
}
