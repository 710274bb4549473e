package dev.zeroproxy.micrometer;

import java.time.Duration;
import java.util.Locale;

/**
 * The meters' names, tag keys and histogram buckets, in one place so that the documentation's
 * table has one source. Names are Micrometer's dotted form with the base unit given apart: the
 * Prometheus registry renders {@code zeroproxy.forwarded} with unit bytes as a counter as
 * {@code zeroproxy_forwarded_bytes_total}, a timer in seconds as
 * {@code zeroproxy_connection_duration_seconds_*}.
 */
final class MeterNames {
    private MeterNames() { }

    static final String PREFIX = "zeroproxy.";

    // ---- per frontend (tag proxy), from Proxy.stats() ----
    static final String ACCEPTED = "zeroproxy.connections.accepted";
    static final String ACTIVE = "zeroproxy.connections.active";
    static final String REFUSED = "zeroproxy.connections.refused";
    static final String OPEN_CHANNELS = "zeroproxy.channels.open";
    static final String FORWARDED = "zeroproxy.forwarded";
    static final String SPLICED = "zeroproxy.spliced";
    static final String COPIED = "zeroproxy.copied";
    static final String QUEUED = "zeroproxy.queued";
    static final String BUDGET_PAUSES = "zeroproxy.memory.budget.pauses";

    // ---- per frontend, from the listener ----
    static final String CLOSED = "zeroproxy.connections.closed";
    static final String DURATION = "zeroproxy.connection.duration";

    // ---- per backend and server, from the listener ----
    static final String CONNECT_ATTEMPTS = "zeroproxy.upstream.connect.attempts";
    static final String CONNECT_FAILURES = "zeroproxy.upstream.connect.failures";

    // ---- per upstream group, from UpstreamGroup.servers() ----
    static final String SERVER_STATE = "zeroproxy.server.state";
    static final String SERVER_ACTIVE = "zeroproxy.server.connections.active";
    static final String SERVER_WEIGHT = "zeroproxy.server.weight";
    static final String BACKEND_QUEUED = "zeroproxy.backend.queued";

    // ---- the whole configuration ----
    static final String GENERATION = "zeroproxy.config.generation";

    /** Micrometer's own Netty event executor meters start with this. */
    static final String NETTY_EXECUTOR_PREFIX = "netty.eventexecutor.";

    static final String PROXY = "proxy";
    static final String REASON = "reason";
    static final String TERMINATION = "termination";
    static final String DIRECTION = "direction";
    static final String BACKEND = "backend";
    static final String SERVER = "server";
    static final String STATE = "state";
    /** Tells apart the meters of several event loop groups (Micrometer's binder names only the threads). */
    static final String EVENT_LOOP_GROUP = "event.loop.group";

    static final String FROM_CLIENT = "from_client";
    static final String FROM_UPSTREAM = "from_upstream";
    static final String BYTES = "bytes";
    static final String CONNECTIONS = "connections";

    /**
     * The duration histogram's buckets: from 1 ms (a refused connect) to 1 h (a long session),
     * about three a decade. Explicit and few, so each frontend costs 19 bucket series, not the
     * ~70 of Micrometer's percentile histogram.
     */
    static final Duration[] DURATION_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofMinutes(30), Duration.ofHours(1),
    };

    /** An enum constant as a tag value: {@code CLIENT_ABORTED} reads {@code client_aborted}. */
    static String tagValue(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
