package dev.zeroproxy.examples.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code /stats} and {@code /stats.json} show, taken at one request by
 * {@link StatsCollector}: the process, one row per frontend, and per backend one row per server
 * and a total. Rendered by {@link StatsPage} and {@link StatsJson}. Immutable.
 *
 * @param process the process and its runtime
 * @param frontends one per frontend, in configuration order
 * @param backends one per backend, in configuration order
 */
record StatsReport(Process process, List<FrontendRow> frontends, List<BackendRow> backends) {

    /**
     * The header: what runs, since when, on what.
     *
     * @param version zeroproxy's version ("unknown" outside a jar)
     * @param netty the Netty version
     * @param java the Java version
     * @param pid the process id
     * @param uptime since the JVM started
     * @param generation the configuration's number (reloads)
     * @param transport the transport's name
     * @param eventLoops event loop threads
     * @param activeConnections connections open now over every frontend
     * @param maxConnections the limit over all of them, 0 for none
     * @param directMemoryUsed direct memory the pooled allocator holds
     * @param bytesQueued bytes waiting for slow readers
     * @param memoryBudgetPauses reads stopped by the direct-memory budget
     * @param at when the report was taken
     */
    record Process(String version, String netty, String java, long pid, Duration uptime, long generation,
            String transport, int eventLoops, long activeConnections, int maxConnections, long directMemoryUsed,
            long bytesQueued, long memoryBudgetPauses, Instant at) { }

    /**
     * A listening address of a frontend.
     *
     * @param address where it listens (the port the OS chose, for port 0)
     * @param accepting whether it still accepts
     */
    record Bind(String address, boolean accepting) { }

    /**
     * A frontend's row: its binds' figures together.
     *
     * @param name its name
     * @param binds its listening addresses
     * @param mode the forwarding mode (copy, splice, auto)
     * @param upstream where it sends connections (a backend's name, or its routes)
     * @param current connections open now
     * @param max the most seen open at once (sampled)
     * @param limit its connection limit, 0 for none
     * @param total connections accepted
     * @param bytesIn bytes from clients
     * @param bytesOut bytes to clients
     * @param bytesSpliced of both, those moved by splice
     * @param denied connections refused at the edge
     * @param deniedByReason the same, by reason (those above 0)
     * @param connectErrors connections whose upstream could not be reached
     */
    record FrontendRow(String name, List<Bind> binds, String mode, String upstream, long current, long max,
            int limit, long total, long bytesIn, long bytesOut, long bytesSpliced, long denied,
            Map<String, Long> deniedByReason, long connectErrors) {

        /** Whether any bind still accepts. */
        boolean accepting() {
            return binds.stream().anyMatch(Bind::accepting);
        }

        /** The share of the bytes moved by splice, 0..1. */
        double splicedShare() {
            return share(bytesSpliced, bytesIn + bytesOut);
        }
    }

    /**
     * The last active check of a server.
     *
     * @param ok whether it passed
     * @param detail what happened, in a few words
     * @param took how long it took
     * @param age how long ago it started
     */
    record Check(boolean ok, String detail, Duration took, Duration age) { }

    /**
     * A server's row, or a backend's total (then name "BACKEND", no address, check or weight).
     *
     * @param name its name
     * @param address its address, or null for a backend's total
     * @param state UP, DOWN, EJECTED, DRAINING, DISABLED, REMOVED
     * @param inState how long since it last changed state, or null if not known
     * @param weight its weight
     * @param backup whether it is a backup server
     * @param current sessions open now (on a backend's total, queued ones not included)
     * @param max the most seen open at once (sampled)
     * @param limit its connection limit, 0 for none
     * @param total connections it carried
     * @param bytesIn bytes it was sent (from clients), of closed connections
     * @param bytesOut bytes it sent (to clients), of closed connections
     * @param bytesSpliced of both, those moved by splice
     * @param connectErrors connect attempts that failed
     * @param serverAborts connections the server reset or failed
     * @param clientAborts connections the client reset or failed
     * @param retries connect attempts retried after failing on it
     * @param check its last active check, or null (no checks, or none yet)
     */
    record ServerRow(String name, String address, String state, Duration inState, int weight, boolean backup,
            long current, long max, int limit, long total, long bytesIn, long bytesOut, long bytesSpliced,
            long connectErrors, long serverAborts, long clientAborts, long retries, Check check) {

        /** The share of the bytes moved by splice, 0..1. */
        double splicedShare() {
            return share(bytesSpliced, bytesIn + bytesOut);
        }
    }

    /**
     * A backend: its servers and their total.
     *
     * @param name its name
     * @param balance its balancing algorithm's keyword, or null (a single address)
     * @param queued connections waiting for a server with room now
     * @param maxQueued the most seen waiting at once (sampled)
     * @param refused connections no server took (none usable, or a queue timed out)
     * @param servers one row per server
     * @param total the servers' figures together
     */
    record BackendRow(String name, String balance, long queued, long maxQueued, long refused,
            List<ServerRow> servers, ServerRow total) { }

    /** {@code part / whole}, 0 when the whole is 0. */
    static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
