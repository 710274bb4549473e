package dev.zeroproxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Termination;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.UpstreamUnavailableException;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The two-character termination states, as the table in docs/observability.md lists them. */
class TerminationStateTest {
    private static final Duration LIFE = Duration.ofMillis(100);

    /** Where the connection was: Q never attempted, C attempting, D connected. */
    private static ConnectionSummary summary(Termination how, char phase, Throwable cause) {
        Duration queue = phase == 'Q' ? LIFE : Duration.ofMillis(2);
        Duration connect = phase == 'D' ? Duration.ofMillis(3) : null;
        return new ConnectionSummary(0, 0, 0, LIFE, cause, how, queue, connect, 0);
    }

    @ParameterizedTest(name = "{0} in phase {1} -> {2}")
    @CsvSource({
        "COMPLETED, D, --",
        "CLIENT_ABORTED, D, CD",
        "CLIENT_ABORTED, C, CC",
        "CLIENT_ABORTED, Q, CQ",
        "UPSTREAM_ABORTED, D, SD",
        "IDLE_TIMEOUT, D, cD",
        "IDLE_TIMEOUT, C, cC",
        "HALF_CLOSED_TIMEOUT, D, cL",
        "DRAIN_TIMEOUT, D, KD",
        "DRAIN_TIMEOUT, Q, KQ",
        "SERVER_OUT_OF_SERVICE, D, DD",
        "CLOSED_BY_OPERATOR, D, KD",
        "RESET_BY_OPERATOR, D, KD",
        "RESET_BY_OPERATOR, C, KC",
    })
    void eachTerminationAndPhase(Termination how, char phase, String expected) {
        assertEquals(expected, TerminationState.of(summary(how, phase, how == Termination.COMPLETED ? null
                : new IOException("why"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "refused, C, SC",
        "connect timeout, C, sC",
        "deadline in the queue, Q, sQ",
        "kernel timeout, C, sC",
        "no server, Q, SC",
        "queue timeout, Q, sQ",
        "queue full, Q, PQ",
    })
    void connectFailuresTellRefusedFromTimedOutFromQueued(String cause, char phase, String expected) {
        Throwable failure = switch (cause) {
            case "refused" -> new ConnectException("Connection refused");
            case "connect timeout", "deadline in the queue" -> new ConnectTimeoutException("timed out after 5 ms");
            case "kernel timeout" -> new ConnectException("finishConnect(..) failed: Connection timed out");
            case "no server" -> new UpstreamUnavailableException(UpstreamUnavailableException.Reason.NO_SERVER, "x");
            case "queue timeout" -> new UpstreamUnavailableException(
                    UpstreamUnavailableException.Reason.QUEUE_TIMEOUT, "x");
            default -> new UpstreamUnavailableException(UpstreamUnavailableException.Reason.QUEUE_FULL, "x");
        };
        assertEquals(expected, TerminationState.of(summary(Termination.CONNECT_FAILED, phase, failure)));
    }

    @ParameterizedTest
    @EnumSource(ConnectionRefusal.Reason.class)
    void edgeRefusalsAreTheProxysExceptAHeaderThatNeverCame(ConnectionRefusal.Reason reason) {
        assertEquals(reason == ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT ? "cR" : "PR",
                TerminationState.of(reason));
    }
}
