package dev.zeroproxy.upstream;

import java.util.Objects;

/**
 * Why a group refused a connection without connecting it anywhere: the cause that
 * {@link dev.zeroproxy.ProxyListener#upstreamConnectFailed} hears then.
 */
public final class UpstreamUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kept every server from taking the connection. */
    public enum Reason {
        /** No server is up (all down, ejected, draining, disabled, or removed). */
        NO_SERVER,
        /** Every usable server was at its connection limit for the whole queue timeout. */
        QUEUE_TIMEOUT,
        /** Every usable server was at its connection limit and the group's queue was full. */
        QUEUE_FULL
    }

    private final transient Reason reason;

    /** @param message names the group and what was found */
    public UpstreamUnavailableException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why. */
    public Reason reason() {
        return reason;
    }
}
