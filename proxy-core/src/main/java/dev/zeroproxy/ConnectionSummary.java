package dev.zeroproxy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one connection carried, reported once when it closes.
 *
 * <p>Byte counts are payload bytes read from one side and handed to the other, whichever way
 * they travelled ({@linkplain Forwarding#COPY copied} through a buffer or
 * {@linkplain Forwarding#SPLICE spliced} in the kernel).
 *
 * @param bytesFromClient bytes read from the client and forwarded to the upstream
 * @param bytesFromUpstream bytes read from the upstream and forwarded to the client
 * @param bytesSpliced of those, the bytes that moved by kernel {@code splice()} (both ways)
 * @param duration from accept to close
 * @param cause why the connection ended abnormally (reset, connect failure, idle timeout,
 *     shutdown); {@code null} when both sides finished cleanly
 */
public record ConnectionSummary(
        long bytesFromClient, long bytesFromUpstream, long bytesSpliced, Duration duration, Throwable cause) {

    /** Checks the counts and the duration. */
    public ConnectionSummary {
        Objects.requireNonNull(duration, "duration");
        if (bytesFromClient < 0 || bytesFromUpstream < 0 || bytesSpliced < 0) {
            throw new IllegalArgumentException("byte counts must be >= 0");
        }
    }

    /** The cause, if the connection ended abnormally. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(cause);
    }
}
