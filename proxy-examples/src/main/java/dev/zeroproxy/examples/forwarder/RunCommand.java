package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.config.ConfigException;
import dev.zeroproxy.config.ConfigParser;
import dev.zeroproxy.config.Deployment;
import dev.zeroproxy.config.ProxyFile;
import dev.zeroproxy.config.ReloadReport;
import dev.zeroproxy.examples.admin.AdminOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zeroproxy run -f FILE}: serves every frontend of a configuration file on one set of
 * event loops until SIGINT/SIGTERM (which drain, as {@code forward}'s do), and reloads the file
 * on SIGHUP: a file with an error changes nothing and its errors are logged; a good one is
 * applied without closing the listening sockets it keeps (see docs/configuration.md, "Reload").
 * Not thread-safe (picocli populates it).
 */
@Command(
        name = "run",
        description = "Serve the frontends and backends of a configuration file (HAProxy syntax, mode tcp) until"
                + " SIGINT/SIGTERM; SIGHUP reloads the file without closing the listening sockets it keeps.",
        sortOptions = false,
        usageHelpAutoWidth = true)
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOGGER = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The configuration file, e.g. zeroproxy.cfg (see docs/configuration.md); read again on"
                    + " SIGHUP.")
    private Path file;

    @Mixin
    private AdminOptions admin = new AdminOptions();

    @Mixin
    private ObservabilityOptions observability = new ObservabilityOptions();

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "error, warn, info, debug (also one line per connection) or trace (default: info).")
    private LogLevel logLevel; // Applied by Main before parsing (see LogLevel).

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** For picocli. */
    public RunCommand() { }

    @Override
    public Integer call() {
        ProxyFile parsed = ConfigFiles.read(spec, file);
        ForwarderListener listener = new ForwarderListener();
        // Opened before anything is bound: a path that cannot be written is a usage error.
        Instrumentation instruments = Instrumentation.open(spec, observability, admin, parsed.stats(), true);
        try {
            Deployment deployment;
            try {
                // State changes go to the servers' listener only, so each is logged once; each
                // frontend has its own access log and metrics.
                deployment = Deployment.start(parsed, instruments.servers(listener),
                        frontend -> ProxyListener.all(listener, instruments.frontend(frontend)));
            } catch (ConfigException e) {
                throw ConfigFiles.usage(spec, file, e);
            }
            instruments.started(deployment);
            Map<InetSocketAddress, String> frontends = deployment.frontends();
            deployment.proxies().forEach((bind, proxy) -> LOGGER.info("zeroproxy frontend {} listening on {} -> {}"
                    + " (transport {}, mode {})", frontends.get(bind), HostPortConverter.format(proxy.localAddress()),
                    proxy.config().upstream(), proxy.config().transport().name(),
                    proxy.config().forwarding().name().toLowerCase(java.util.Locale.ROOT)));
            LOGGER.info("zeroproxy running {} (generation 1): {} frontend bind(s), {} backend(s); SIGHUP reloads it",
                    file, deployment.proxies().size(), deployment.backends().size());
            return instruments.serve(deployment::stats,
                    () -> new UntilSignal().run(served(deployment, instruments), listener));
        } finally {
            instruments.close(); // after the drain: the last connections' lines and events are written
        }
    }

    private Served served(Deployment deployment, Instrumentation instruments) {
        return new Served() {
            @Override
            public ProxyStats stats() {
                return deployment.stats();
            }

            @Override
            public Duration drainTimeout() {
                return deployment.drainTimeout();
            }

            @Override
            public String reload() {
                ProxyFile next;
                try {
                    next = ConfigParser.parse(file);
                    ReloadReport report = deployment.reload(next);
                    instruments.reloaded(deployment, report);
                    deployment.proxies().forEach((bind, proxy) -> {
                        if (report.openedBinds().contains(bind)) {
                            LOGGER.info("zeroproxy frontend {} listening on {}", deployment.frontends().get(bind),
                                    HostPortConverter.format(proxy.localAddress()));
                        }
                    });
                    return "reloaded " + file + ", " + report.summary();
                } catch (ConfigException e) {
                    throw new IllegalArgumentException(ConfigFiles.describe(file, e)
                            + System.lineSeparator() + "still serving generation " + deployment.generation(), e);
                }
            }

            @Override
            public void close() {
                // The admin endpoint shows the drain, and closes on loops that still run.
                deployment.close(instruments::closeAdminEndpoint);
            }
        };
    }
}
