package dev.zeroproxy;

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
        /** Still open when {@link ProxyConfig#drainTimeout()} ran out during {@link Proxy#close()}. */
        DRAIN_TIMEOUT
    }

    private final Reason reason;

    /** Creates the exception for {@code reason}, naming the limit that ran out. */
    public ProxyClosedConnectionException(Reason reason, Duration limit) {
        super(Objects.requireNonNull(reason, "reason") == Reason.IDLE_TIMEOUT
                ? "idle for " + limit + " (idleTimeout)"
                : "still open after " + limit + " of draining (drainTimeout)");
        this.reason = reason;
    }

    /** Why the proxy closed the connection. */
    public Reason reason() {
        return reason;
    }
}
