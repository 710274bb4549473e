package dev.zeroproxy.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one active health check of one server.
 *
 * <p>{@code detail} says what happened in a few words, for logs and status pages:
 * {@code "connected"}, {@code "connection refused"}, {@code "timed out after 1000 ms (connecting)"},
 * {@code "expected 'PONG' got 'ERR '"}; reply bytes in it are quoted with non-printable bytes
 * escaped ({@code \r}, {@code \x00}).
 *
 * <pre>{@code
 * CheckResult r = ...;
 * log.info("{} check {} in {} ms: {}", server, r.ok() ? "passed" : "failed", r.took().toMillis(), r.detail());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param ok whether the check passed
 * @param took how long it took, from the start of the connect to the outcome
 * @param detail what happened, in a few words
 * @param at when the check started (wall clock)
 */
public record CheckResult(boolean ok, Duration took, String detail, Instant at) {

    /** Checks that no component is null. */
    public CheckResult {
        Objects.requireNonNull(took, "took");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
    }

    /** For example {@code "passed in 2 ms: connected"} or {@code "failed in 1000 ms: timed out after 1000 ms (connecting)"}. */
    @Override
    public String toString() {
        return (ok ? "passed" : "failed") + " in " + took.toMillis() + " ms: " + detail;
    }
}
