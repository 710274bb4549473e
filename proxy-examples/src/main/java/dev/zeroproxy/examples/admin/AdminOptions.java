package dev.zeroproxy.examples.admin;

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

    /** For picocli. */
    public AdminOptions() { }

    /** Whether {@code --admin} was given. */
    public boolean enabled() {
        return address != null;
    }

    /** The address {@code --admin} asked for, or null. */
    public InetSocketAddress address() {
        return address;
    }

    /** The text {@code /metrics} serves (a Prometheus registry's scrape); without it, /metrics is off. */
    public void metrics(Supplier<String> scrape) {
        this.metrics = scrape;
    }

    /**
     * {@code listener} and, with {@code --admin}, the per-server counting the stats page shows:
     * what to give the proxies as their listener.
     */
    public ProxyListener listener(ProxyListener listener) {
        return address == null ? listener : ProxyListener.all(listener, traffic);
    }

    /**
     * Starts the admin server on {@code source}'s loops if {@code --admin} was given. If it cannot
     * (the address is taken), closes {@code running} and ends the command as a usage error (exit
     * 2) naming the address, as a {@code --listen} that cannot be bound does.
     */
    public void start(StatsSource source, AutoCloseable running) {
        if (address == null) {
            return;
        }
        AdminServer.Builder builder = AdminServer.builder(source).address(address).traffic(traffic);
        if (refresh != null) {
            builder.refresh(refresh);
        }
        if (metrics != null) {
            builder.metrics(metrics);
        }
        try {
            server = builder.start();
        } catch (ProxyBindException e) {
            closeQuietly(running);
            throw new ParameterException(command.commandLine(),
                    e.getMessage() + " (expected: a free local address for --admin)");
        }
    }

    /** Stops the admin server, if one runs; idempotent. */
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    /** The running admin server, or null: for tests. */
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
