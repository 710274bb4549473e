package dev.zeroproxy.examples.admin;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --admin} and {@code --stats-refresh} flags of {@code forward} and {@code run}, and
 * the admin server they start: a picocli mixin, so each command adds one field and three calls:
 * {@link #listener} around its listener, {@link #start} once its proxies run, {@link #close}
 * when it is done. Without {@code --admin} each does nothing. Not thread-safe (picocli populates
 * it; the command's thread uses it).
 */
public final class AdminOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--admin", paramLabel = "[HOST:]PORT", converter = AdminAddressConverter.class,
            description = "Serve /stats (a page like HAProxy's), /stats.json, /connections and /metrics over HTTP"
                    + " here; PORT alone means 127.0.0.1:PORT. Read-only and without authentication: another"
                    + " host than loopback is logged as a warning (default: no admin endpoint).")
    private InetSocketAddress address;

    @Option(names = "--stats-refresh", paramLabel = "DURATION", converter = RefreshConverter.class,
            description = "How often the /stats page reloads itself, whole seconds up to 1h; 0 never"
                    + " (default: 5s).")
    private Duration refresh;

    private final ServerTraffic traffic = new ServerTraffic();
    private Supplier<String> metrics;
    private AdminServer server;
    /** A configuration file's stats section ({@code run -f}), used when there is no {@code --admin}. */
    private FileEndpoint fromFile;
    /** Count for the endpoint even while there is none: a reload may add one ({@code run -f}). */
    private boolean countAlways;

    /** For picocli. */
    public AdminOptions() { }

    /**
     * A configuration file's admin endpoint ({@code listen ... stats enable}): where, how often
     * the page refreshes, and the path of its page ({@code stats uri}). {@code --admin} and
     * {@code --stats-refresh}, when given, win over it.
     */
    public record FileEndpoint(InetSocketAddress address, Duration refresh, String statsPath) { }

    /** Whether an admin endpoint is asked for (by {@code --admin}, or by the file). */
    public boolean enabled() {
        return address != null || fromFile != null;
    }

    /** Whether {@code --stats-refresh} was given. */
    public boolean refreshGiven() {
        return refresh != null;
    }

    /** The configuration file's endpoint, or null for none; takes effect at the next {@link #start}. */
    public void fromFile(FileEndpoint endpoint) {
        this.fromFile = endpoint;
    }

    /**
     * Counts the per-server traffic even without an endpoint now, for one a reload may add
     * later: its columns then show the whole run, not only what came after the reload.
     */
    public void countAlways() {
        this.countAlways = true;
    }

    /** The text of {@code /metrics}; without it, {@code /metrics} answers that metrics are off. */
    public void metrics(Supplier<String> scrape) {
        this.metrics = scrape;
    }

    /**
     * What the admin endpoint needs to hear, for the per-server columns: this traffic counter
     * (a listener), or {@link ProxyListener#NOOP} without an endpoint. Give it to every proxy
     * shown and to the upstream groups' listener.
     */
    public ProxyListener traffic() {
        return enabled() || countAlways ? traffic : ProxyListener.NOOP;
    }

    /** {@code listener} and the traffic counter together (just {@code listener} without an endpoint). */
    public ProxyListener listener(ProxyListener listener) {
        return enabled() || countAlways ? ProxyListener.all(listener, traffic) : listener;
    }

    /**
     * Starts the admin server showing {@code source}, if one is asked for. If its address
     * cannot be bound, {@code running} (the proxies just started) is closed and the failure
     * is a usage error naming the address (exit 2).
     */
    public void start(StatsSource source, AutoCloseable running) {
        if (!enabled()) {
            return;
        }
        InetSocketAddress at = address != null ? address : fromFile.address();
        Duration every = refresh != null ? refresh : address == null ? fromFile.refresh() : null;
        AdminServer.Builder builder = AdminServer.builder(source).address(at).traffic(traffic);
        if (every != null) {
            builder.refresh(every);
        }
        if (address == null && fromFile.statsPath() != null && !fromFile.statsPath().equals("/stats")) {
            builder.statsPath(fromFile.statsPath());
        }
        if (metrics != null) {
            builder.metrics(metrics);
        }
        try {
            server = builder.start();
        } catch (InvalidSettingException e) {
            closeQuietly(running);
            throw new ParameterException(command.commandLine(), e.getMessage());
        } catch (ProxyBindException e) {
            closeQuietly(running);
            throw new ParameterException(command.commandLine(), e.getMessage() + " (expected: a free local address for "
                    + (address != null ? "--admin" : "the configuration file's stats section") + ")");
        }
    }

    /**
     * A reload changed the file's stats section to {@code endpoint} (null: removed): the
     * server moves there (or stops). With {@code --admin} given, the file's section is not
     * used and this does nothing. A new address that cannot be bound leaves no endpoint,
     * and is logged; the proxies go on.
     */
    public void reloaded(FileEndpoint endpoint, StatsSource source) {
        if (address != null) {
            return;
        }
        close();
        server = null;
        fromFile = endpoint;
        if (endpoint == null) {
            return;
        }
        try {
            start(source, () -> { });
        } catch (ParameterException e) {
            org.slf4j.LoggerFactory.getLogger(AdminOptions.class).warn("admin endpoint not moved: {}", e.getMessage());
        }
    }

    /** Stops the admin server, if one runs; the proxies go on. */
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    /** The running server, or null. */
    public AdminServer server() {
        return server;
    }

    private static void closeQuietly(AutoCloseable running) {
        try {
            running.close();
        } catch (Exception e) {
            // Already failing with the bind error, which is what the operator must see.
            org.slf4j.LoggerFactory.getLogger(AdminOptions.class).debug("closing after the admin bind failed", e);
        }
    }
}
