package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.accesslog.AccessLog;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The flags of what the forwarder reports while it runs, shared by {@code forward} and
 * {@code run}: {@code --access-log}, {@code --log-asap} and {@code --stats}. A picocli mixin.
 * ({@code --log-level} stays on each command: Main applies it before parsing.)
 */
public final class ObservabilityOptions {

    @Option(names = "--access-log", paramLabel = "FILE|-",
            description = "Write one line per connection, as it closes, in HAProxy's tcplog style (see"
                    + " docs/observability.md) to FILE (appended to, created if missing) or to stdout with -."
                    + " Default: no access log.")
    private String accessLog;

    @Option(names = "--log-asap",
            description = "With --access-log: also a line as soon as each connection reaches its upstream, its times"
                    + " and bytes marked + (so far), as HAProxy's option logasap.")
    private boolean logAsap;

    @Option(names = "--stats",
            description = "Show the figures on stderr while running: on a terminal one line refreshed every second"
                    + " (connections open, new per second, throughput each way, spliced share, errors); otherwise"
                    + " one line every 10 seconds.")
    private boolean stats;

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Record the run with JDK Flight Recorder (the JDK's default settings and ZeroProxy's"
                    + " events, see docs/observability.md) into FILE, written when the forwarder stops; it keeps"
                    + " the newest 256 MiB.")
    private Path jfr;

    /** {@code --jfr}'s file, or null. */
    Path jfr() {
        return jfr;
    }

    /**
     * Opens the access log's destination, before anything is bound: the command's usage error
     * (exit 2) naming the path if it cannot be opened. Without {@code --access-log}, nothing.
     */
    AccessLogOutput openAccessLog(CommandSpec spec) {
        if (accessLog == null) {
            if (logAsap) {
                throw new ParameterException(spec.commandLine(),
                        "--log-asap: there is no access log to write early lines to (expected: with --access-log)");
            }
            return null;
        }
        try {
            return AccessLogOutput.open(accessLog);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The access log of the frontend named {@code frontend}, or no listener without {@code --access-log}. */
    ProxyListener accessLogOf(String frontend) {
        return accessLog == null ? ProxyListener.NOOP : AccessLog.builder(frontend).logAsap(logAsap).build();
    }

    /** Runs {@code serving} (the proxy's life) with the {@code --stats} line shown, if asked for. */
    int withStats(Supplier<ProxyStats> figures, IntSupplier serving) {
        if (!stats) {
            return serving.getAsInt();
        }
        try (LiveStats live = LiveStats.start(figures)) {
            return serving.getAsInt();
        }
    }
}
