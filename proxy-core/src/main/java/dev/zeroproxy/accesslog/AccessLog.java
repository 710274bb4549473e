package dev.zeroproxy.accesslog;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An access log: one line per connection when it closes, in a format close to HAProxy's
 * {@code tcplog}, logged at INFO through the SLF4J logger {@value #LOGGER_NAME}. The
 * application's logging binding decides where the lines go (a file, stdout, syslog); with that
 * logger's INFO off, every event costs one level check and nothing else.
 *
 * <pre>{@code
 * Proxy.builder()
 *     .listen(...).upstream(...)
 *     .listener(ProxyListener.all(metrics, AccessLog.forFrontend("web")))
 *     .start();
 * // 127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web app/s1 0/1/523 1048576 2048 -- 97% 0 #42
 * }</pre>
 *
 * <p>Fields, left to right: the client's address and port (the one an accepted PROXY protocol
 * header gave, else the socket peer); the accept date, in the log's zone (the JVM's default
 * unless {@link Builder#zone} says otherwise), as {@code dd/MMM/yyyy:HH:mm:ss.SSS}; the
 * frontend; {@code backend/server} (the upstream's names, {@code -} where it has none, the
 * server's address where it is not named); {@code Tw/Tc/Tt}, milliseconds from the accept to
 * the first connect attempt, of connecting (-1: never connected) and of the whole life; bytes
 * sent to the client; bytes received from the client; HAProxy's two-character termination
 * state; the share of the bytes spliced in the kernel; connect attempts retried; the
 * connection's id. The full description, the termination codes and the early and refusal
 * lines are in {@code docs/observability.md}.
 *
 * <p>One instance per frontend; it may serve several proxies (a frontend's binds), whose ids
 * then repeat. Thread-safe; called on the proxies' event loops, it only formats and hands the
 * line to the logger, so the binding should not block (an asynchronous appender).
 */
public final class AccessLog implements ProxyListener {

    /** The name of the logger every access log writes to unless {@link Builder#logger} says otherwise. */
    public static final String LOGGER_NAME = "zeroproxy.access";

    /** What an early line needs of a connection between its accept and its upstream connect. */
    private static final class Early {
        final long acceptMillis = System.currentTimeMillis();
        final long acceptNanos = System.nanoTime();
        /** Written by the connection's event loop only; read there too, or by none. */
        volatile int retries;
    }

    /** A connection among all those the proxies of one frontend hold (each proxy numbers its own). */
    private record Key(long id, InetSocketAddress client) {
        static Key of(ConnectionInfo connection) {
            return new Key(connection.id(), connection.client());
        }
    }

    private final String frontend;
    private final boolean logAsap;
    private final Logger logger;
    private final AccessLine lines;
    /** With {@code logAsap} only: the connections not yet connected, for their early line. */
    private final ConcurrentHashMap<Key, Early> early = new ConcurrentHashMap<>();

    private AccessLog(Builder builder) {
        this.frontend = builder.frontend;
        this.logAsap = builder.logAsap;
        this.logger = builder.logger != null ? builder.logger : LoggerFactory.getLogger(LOGGER_NAME);
        this.lines = new AccessLine(frontend, new AccessTime(builder.zone));
    }

    /**
     * The access log of the frontend named {@code frontend}: one line per connection as it
     * closes, and one per edge refusal, to {@value #LOGGER_NAME}.
     *
     * @throws InvalidSettingException if the name is empty or has white space
     */
    public static AccessLog forFrontend(String frontend) {
        return builder(frontend).build();
    }

    /**
     * A builder for the access log of the frontend named {@code frontend}.
     *
     * @throws InvalidSettingException if the name is empty or has white space (it is one field of the line)
     */
    public static Builder builder(String frontend) {
        return new Builder(frontend);
    }

    /** The frontend's name, as each line shows it. */
    public String frontend() {
        return frontend;
    }

    /** Whether it also writes an early line when each connection reaches its upstream. */
    public boolean logAsap() {
        return logAsap;
    }

    @Override
    public void connectionOpened(ConnectionInfo connection) {
        if (logAsap && logger.isInfoEnabled()) {
            early.put(Key.of(connection), new Early());
        }
    }

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        if (logAsap) {
            Early started = early.get(Key.of(connection));
            if (started != null) {
                started.retries++;
            }
        }
    }

    @Override
    public void upstreamConnected(ConnectionInfo connection) {
        if (!logAsap) {
            return;
        }
        Early started = early.remove(Key.of(connection));
        if (started != null && logger.isInfoEnabled()) {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started.acceptNanos);
            logger.info(lines.early(connection, started.acceptMillis, elapsed, started.retries));
        }
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        if (logAsap) {
            // Removed whatever the level now: a connection that never connected still holds its entry.
            early.remove(Key.of(connection));
        }
        if (logger.isInfoEnabled()) {
            logger.info(lines.closed(connection, summary, System.currentTimeMillis()));
        }
    }

    @Override
    public void connectionRefused(ConnectionRefusal refusal) {
        if (logger.isInfoEnabled()) {
            logger.info(lines.refused(refusal, System.currentTimeMillis()));
        }
    }

    @Override
    public String toString() {
        return "AccessLog[" + frontend + (logAsap ? ", logasap" : "") + " -> " + logger.getName() + "]";
    }

    /** Settings of an {@link AccessLog}. Not thread-safe. */
    public static final class Builder {
        private final String frontend;
        private boolean logAsap;
        private Logger logger;
        private ZoneId zone = ZoneId.systemDefault();

        private Builder(String frontend) {
            if (frontend == null || frontend.isEmpty() || frontend.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidSettingException("frontend", frontend,
                        "a name without white space, e.g. web (it is one field of each line)");
            }
            this.frontend = frontend;
        }

        /**
         * Also log a line as soon as each connection reaches its upstream, as HAProxy's
         * {@code option logasap} does, its times and bytes marked {@code +} (so far); the line at
         * the close is written as well. Default off.
         */
        public Builder logAsap(boolean logAsap) {
            this.logAsap = logAsap;
            return this;
        }

        /** Log to {@code logger} instead of {@value AccessLog#LOGGER_NAME} (one file per frontend, say). */
        public Builder logger(Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** The zone of the dates; default the JVM's ({@code ZoneId.systemDefault()}), as HAProxy uses local time. */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** The access log. */
        public AccessLog build() {
            return new AccessLog(this);
        }
    }
}
