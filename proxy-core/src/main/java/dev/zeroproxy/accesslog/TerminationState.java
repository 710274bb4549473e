package dev.zeroproxy.accesslog;

import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Termination;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.UpstreamUnavailableException;
import java.net.SocketTimeoutException;

/**
 * HAProxy's two-character session state at disconnection ({@code %ts}) for a connection's
 * {@link Termination}: the first character says what ended it, the second where the connection
 * was then. The table, and where it departs from HAProxy, is in {@code docs/observability.md}.
 *
 * <p>First character: {@code C} the client aborted, {@code S} the server aborted or refused,
 * {@code s} a server-side timeout (connect, queue), {@code c} a client-side timeout (idle,
 * half-closed), {@code P} the proxy refused it (edge rules, a full queue), {@code K} killed by
 * the operator or the drain at stop, {@code D} its server was taken out of service, {@code -}
 * normal end. Second: {@code R} before a request was accepted (the edge), {@code Q} waiting for
 * a server (no connect attempt yet), {@code C} connecting, {@code D} forwarding, {@code L} one
 * direction finished (last data), {@code -} normal end.
 */
final class TerminationState {

    private TerminationState() { }

    /** The state of a connection that closed. */
    static String of(ConnectionSummary summary) {
        char phase = phase(summary);
        return switch (summary.termination()) {
            case COMPLETED -> "--";
            case CLIENT_ABORTED -> "C" + phase;
            case UPSTREAM_ABORTED -> "S" + phase;
            case CONNECT_FAILED -> connectFailed(summary.cause(), phase);
            case IDLE_TIMEOUT -> "c" + phase;
            case HALF_CLOSED_TIMEOUT -> "cL";
            case SERVER_OUT_OF_SERVICE -> "D" + phase;
            case DRAIN_TIMEOUT, CLOSED_BY_OPERATOR, RESET_BY_OPERATOR -> "K" + phase;
        };
    }

    /** The state of a connection refused at the edge. */
    static String of(ConnectionRefusal.Reason reason) {
        // A PROXY header that never came is the client's timeout; every other refusal is the proxy's rule.
        return reason == ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT ? "cR" : "PR";
    }

    /**
     * Where the connection was when it ended: forwarding once connected; connecting once an
     * attempt started (the queue time is then shorter than the life: it ends at the first
     * attempt); else still waiting for a server.
     */
    private static char phase(ConnectionSummary summary) {
        if (summary.connectTime() != null) {
            return 'D';
        }
        return summary.queueTime().equals(summary.duration()) ? 'Q' : 'C';
    }

    private static String connectFailed(Throwable cause, char phase) {
        if (cause instanceof UpstreamUnavailableException unavailable) {
            return switch (unavailable.reason()) {
                // HAProxy logs "SC" with <NOSRV> when no server is usable.
                case NO_SERVER -> "SC";
                case QUEUE_TIMEOUT -> "sQ";
                // Refused at once by the group's limit, at the queue: no HAProxy equivalent, its letters.
                case QUEUE_FULL -> "PQ";
            };
        }
        if (isTimeout(cause)) {
            // The connect deadline passed before any attempt started: it was spent waiting for a server.
            return phase == 'Q' ? "sQ" : "sC";
        }
        return "SC";
    }

    private static boolean isTimeout(Throwable cause) {
        if (cause == null) {
            return false;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException || cause instanceof SocketTimeoutException) {
            return true;
        }
        // The kernel's own connect timeout (ETIMEDOUT) comes as a native error whose message says it.
        String message = cause.getMessage();
        return message != null && message.contains("timed out");
    }
}
