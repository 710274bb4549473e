package dev.zeroproxy.examples.forwarder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-level}: how much the forwarder logs (to stderr, through Logback; see {@link ForwarderLogging}).
 *
 * <ul>
 *   <li>{@code error}, {@code warn}: only problems;
 *   <li>{@code info} (the default): start, reload, server state changes, stop, and one line
 *       per failed upstream connect, idle-timeout close and drain cut, at most one a second per
 *       kind;
 *   <li>{@code debug}: also one line per connection as it closes, and nothing of Netty's or the
 *       engine's own debug output;
 *   <li>{@code trace}: also the engine's and Netty's debug output, and whole stack traces
 *       even for network errors, for bug reports.
 * </ul>
 *
 * <p>The access log ({@code --access-log}) has its own logger and destination, whatever this
 * level. The level is set from the raw arguments before the command line is parsed
 * ({@link #applyFrom}), so that what is logged while parsing and starting already obeys it;
 * picocli then only validates the option and documents it.
 */
enum LogLevel {
    ERROR, WARN, INFO, DEBUG, TRACE;

    /** Sets the levels for the {@code --log-level} among {@code args}, if there is a valid one. */
    static void applyFrom(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                value = args[i].substring("--log-level=".length());
            }
            if (value != null) {
                try {
                    valueOf(value.toUpperCase(Locale.ROOT)).apply();
                } catch (IllegalArgumentException invalid) {
                    // picocli reports it, in the command line's own words.
                }
                return;
            }
        }
    }

    /** Sets this level on the forwarder's Logback context; does nothing under another SLF4J binding. */
    void apply() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            applyTo(context);
        }
    }

    /**
     * Sets the levels of {@code context} for this level: the root, and the loggers whose lines
     * the forwarder's own say already (kept at WARN but at trace).
     */
    void applyTo(LoggerContext context) {
        Level level = Level.toLevel(name());
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level);
        boolean trace = this == TRACE;
        // Netty's own loggers stay at WARN: at debug it logs ~50 lines of start-up detail.
        context.getLogger("io.netty").setLevel(trace ? Level.DEBUG : atLeast(Level.WARN));
        // The engine's start/stop lines repeat the forwarder's ready line and summary.
        context.getLogger("dev.zeroproxy.internal.ProxyServer").setLevel(trace ? null : atLeast(Level.WARN));
        // At debug, the forwarder's line per connection says what the engine's debug lines would.
        context.getLogger("dev.zeroproxy.internal").setLevel(this == DEBUG ? Level.INFO : null);
        // Each server state change is the forwarder's one line (ForwarderListener); the group's own
        // INFO line would repeat it. Its warnings still show.
        context.getLogger("dev.zeroproxy.upstream.GroupHealth").setLevel(trace ? null : atLeast(Level.WARN));
        // run's own start and reload lines say what a configuration's would.
        context.getLogger("dev.zeroproxy.config.Deployment").setLevel(trace ? null : atLeast(Level.WARN));
        context.putProperty(OneLineNetworkErrors.FULL_TRACES, Boolean.toString(trace));
    }

    /** {@code floor}, or this level where it is stricter (error hides warnings everywhere). */
    private Level atLeast(Level floor) {
        Level level = Level.toLevel(name());
        return level.isGreaterOrEqual(floor) ? level : floor;
    }
}
