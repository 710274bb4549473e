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
 * <p>The set-up times follow HAProxy's {@code %Tw} and {@code %Tc}: {@code queueTime} from the
 * accept to the first connect attempt (time spent choosing a server, waiting in a group's
 * queue); {@code connectTime} from the first attempt to the connected upstream, retries
 * included. A connection that never had an upstream has no connect time.
 *
 * @param bytesFromClient bytes read from the client and forwarded to the upstream
 * @param bytesFromUpstream bytes read from the upstream and forwarded to the client
 * @param bytesSpliced of those, the bytes that moved by kernel {@code splice()} (both ways)
 * @param duration from accept to close
 * @param cause why the connection ended abnormally (reset, connect failure, idle timeout,
 *     shutdown); {@code null} when both sides finished cleanly
 * @param termination how it ended, in one word
 * @param queueTime from the accept to the first connect attempt; the whole life for a
 *     connection that never reached an attempt
 * @param connectTime from the first attempt to the connected upstream, or null (never connected)
 * @param retries connect attempts that failed and were retried
 */
public record ConnectionSummary(
        long bytesFromClient, long bytesFromUpstream, long bytesSpliced, Duration duration, Throwable cause,
        Termination termination, Duration queueTime, Duration connectTime, int retries) {

    /** Checks the counts and the durations. */
    public ConnectionSummary {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(termination, "termination");
        Objects.requireNonNull(queueTime, "queueTime");
        if (bytesFromClient < 0 || bytesFromUpstream < 0 || bytesSpliced < 0) {
            throw new IllegalArgumentException("byte counts must be >= 0");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0");
        }
    }

    /** The cause, if the connection ended abnormally. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(cause);
    }

    /** The time to connect the upstream (retries included), if it was connected. */
    public Optional<Duration> upstreamConnectTime() {
        return Optional.ofNullable(connectTime);
    }

    /**
     * The share of the bytes that moved by kernel {@code splice()}, from 0 to 1; 0 for a
     * connection that carried nothing.
     */
    public double splicedShare() {
        long total = bytesFromClient + bytesFromUpstream;
        return total == 0 ? 0 : (double) bytesSpliced / total;
    }
}
