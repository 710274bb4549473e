package dev.zeroproxy.accesslog;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.edge.ConnectionRefusal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Writes the access-log lines of one frontend, each in one {@link StringBuilder}:
 *
 * <pre>
 * client:port [accept date] frontend backend/server Tw/Tc/Tt bytes_to_client bytes_from_client state spliced% retries #id
 * 127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web app/s1 0/1/523 1048576 2048 -- 97% 0 #42
 * </pre>
 *
 * <p>An early line ({@code logasap}) has {@code -/-/+Tt +0 +0} and state {@code --}: the times
 * and bytes are not known yet, and {@code +} says "at least", as in HAProxy. A refusal at the
 * edge has {@code -/-} for backend/server, {@code -1/-1/0}, no bytes, {@code #-} for the id
 * (it never became a proxied connection) and the refusal's reason as a twelfth field.
 *
 * <p>Thread-safe: immutable but for the date cache, which is.
 */
final class AccessLine {
    private final String frontend;
    private final AccessTime time;

    AccessLine(String frontend, AccessTime time) {
        this.frontend = frontend;
        this.time = time;
    }

    /** The line of a connection that closed at {@code nowMillis}. */
    String closed(ConnectionInfo connection, ConnectionSummary summary, long nowMillis) {
        StringBuilder line = start(connection.originalClient(), nowMillis - summary.duration().toMillis());
        names(line, connection);
        Duration connect = summary.connectTime();
        line.append(summary.queueTime().toMillis()).append('/').append(connect == null ? -1 : connect.toMillis())
                .append('/').append(summary.duration().toMillis())
                .append(' ').append(summary.bytesFromUpstream())
                .append(' ').append(summary.bytesFromClient())
                .append(' ').append(TerminationState.of(summary))
                .append(' ').append((int) (summary.splicedShare() * 100)).append('%');
        return end(line, summary.retries(), connection.id());
    }

    /** The early ({@code logasap}) line of a connection connected {@code elapsedMillis} after its accept. */
    String early(ConnectionInfo connection, long acceptMillis, long elapsedMillis, int retries) {
        StringBuilder line = start(connection.originalClient(), acceptMillis);
        names(line, connection);
        line.append("-/-/+").append(elapsedMillis).append(" +0 +0 -- 0%");
        return end(line, retries, connection.id());
    }

    /** The line of a connection refused at the edge at {@code nowMillis}. */
    String refused(ConnectionRefusal refusal, long nowMillis) {
        StringBuilder line = start(refusal.client(), nowMillis);
        line.append("-/- -1/-1/0 0 0 ").append(TerminationState.of(refusal.reason())).append(" 0% 0 #- ")
                .append(refusal.reason().name());
        return line.toString();
    }

    /** {@code client:port [date] frontend }: HAProxy's {@code %ci:%cp [%t] %ft}. */
    private StringBuilder start(InetSocketAddress client, long acceptMillis) {
        StringBuilder line = new StringBuilder(128);
        InetAddress address = client.getAddress();
        line.append(address != null ? address.getHostAddress() : client.getHostString()).append(':')
                .append(client.getPort()).append(" [");
        time.append(line, acceptMillis);
        return line.append("] ").append(frontend).append(' ');
    }

    /** {@code backend/server }: the names the upstream gave, else {@code -} and the server's address. */
    private static void names(StringBuilder line, ConnectionInfo connection) {
        line.append(connection.backend() != null ? connection.backend() : "-").append('/');
        InetSocketAddress upstream = connection.upstream();
        if (connection.server() != null) {
            line.append(connection.server());
        } else if (upstream != null) {
            InetAddress address = upstream.getAddress();
            line.append(address != null ? address.getHostAddress() : upstream.getHostString()).append(':')
                    .append(upstream.getPort());
        } else {
            line.append('-');
        }
        line.append(' ');
    }

    private static String end(StringBuilder line, int retries, long id) {
        return line.append(' ').append(retries).append(" #").append(id).toString();
    }
}
