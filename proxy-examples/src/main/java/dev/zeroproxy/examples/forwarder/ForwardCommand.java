package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.TcpOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code zeroproxy forward}: relays every connection accepted on {@code --listen} to
 * {@code --upstream} until the process is asked to stop.
 *
 * <p>Every setting is checked before anything is bound; a bad one ends the command with exit
 * code 2 and one line naming the value and what was expected. Once the proxy listens, one INFO
 * line says where, to where, and how; SIGINT or SIGTERM then stops accepting at once, drains
 * open connections for up to {@code --drain-timeout}, and exits 0.
 *
 * <p>picocli creates and populates one instance per invocation; it is not thread-safe.
 */
@Command(
        name = "forward",
        description = "Relay every TCP connection accepted on --listen to --upstream, until SIGINT/SIGTERM.",
        defaultValueProvider = ForwardDefaults.class,
        sortOptions = false,
        usageHelpAutoWidth = true)
public final class ForwardCommand implements Callable<Integer> {
    private static final Logger LOGGER = LoggerFactory.getLogger(ForwardCommand.class);
    private static final Map<String, String> OPTION_OF_SETTING = Map.ofEntries(
            Map.entry("listen", "--listen"),
            Map.entry("upstream", "--upstream"),
            Map.entry("transport", "--transport"),
            Map.entry("forwarding", "--mode"),
            Map.entry("connectTimeout", "--connect-timeout"),
            Map.entry("idleTimeout", "--idle-timeout"),
            Map.entry("drainTimeout", "--drain-timeout"),
            Map.entry("eventLoops", "--event-loops"),
            Map.entry("spliceThreshold", "--splice-threshold"),
            Map.entry("splicePipeSize", "--splice-pipe-size"),
            Map.entry("directMemoryBudget", "--direct-memory-budget"),
            Map.entry("socketOption SO_REUSEPORT", "--reuse-port"));

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Address to accept clients on, e.g. 127.0.0.1:8080 or [::]:8080; port 0 picks a free port.")
    private InetSocketAddress listen;

    @Option(names = "--upstream", required = true, paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Address every connection is relayed to; the host is resolved once, at start.")
    private InetSocketAddress upstream;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "auto, nio, epoll or io_uring (default: ${DEFAULT-VALUE}, the best available here"
                    + " for the mode).")
    private String transport;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "auto, copy or splice (default: auto where the transport can do it, else copy).")
    private ModeOption mode;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest upstream connect, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
    private Duration connectTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a connection silent both ways this long; 0 never (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGINT/SIGTERM, how long open connections may finish (default: ${DEFAULT-VALUE}).")
    private Duration drainTimeout;

    @Option(names = "--event-loops", paramLabel = "N",
            description = "Event loop threads (default: the number of processors).")
    private Integer eventLoops;

    @Option(names = "--splice-threshold", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "With --mode auto: bytes a direction copies before it splices, e.g. 256k; 0 splices"
                    + " at once (default: ${DEFAULT-VALUE}).")
    private long spliceThreshold;

    @Option(names = "--splice-pipe-size", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "With --mode splice or auto: capacity of each direction's pipe, 4k..1g; above"
                    + " /proc/sys/fs/pipe-max-size needs CAP_SYS_RESOURCE (default: ${DEFAULT-VALUE}).")
    private long splicePipeSize;

    @Option(names = "--direct-memory-budget", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Most payload all connections together may hold for slow readers, e.g. 256m; past"
                    + " it the directions holding bytes stop reading until their reader catches up (default:"
                    + " half of the JVM's direct-memory limit).")
    private Long directMemoryBudget;

    @Option(names = "--reuse-port", negatable = true,
            description = "--reuse-port lets other processes of this user that ask for it share the listening"
                    + " port (e.g. a new instance joining this one); --no-reuse-port uses one listening socket"
                    + " for all event loops. Default: one socket per event loop where the transport can, and"
                    + " the port is refused if anything listens on it already.")
    private Boolean reusePort;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "error, warn, info, debug (also one line per connection) or trace (also the engine's"
                    + " and Netty's debug output) (default: info).")
    private LogLevel logLevel; // Applied by Main before parsing (see LogLevel); declared for validation and help.

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final ProxyLifetime lifetime;

    /** The command as the {@code zeroproxy} binary runs it: serve until SIGINT/SIGTERM. */
    public ForwardCommand() {
        this(new UntilSignal());
    }

    /** A command that hands the started proxy to {@code lifetime}; for tests. */
    ForwardCommand(ProxyLifetime lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    }

    @Override
    public Integer call() {
        if (upstream.getPort() == 0) {
            throw usage("--upstream: '" + HostPortConverter.format(upstream)
                    + "': port 0 cannot be connected to (expected: a port 1..65535)");
        }
        TransportSelection selection;
        try {
            selection = TransportSelection.resolve(transport, mode);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (splicePipeSize > ProxyBuilder.MAX_SPLICE_PIPE_SIZE) {
            // The builder takes an int; past that, refuse here in the builder's words.
            throw usage("--splice-pipe-size: " + splicePipeSize + " (expected: " + ProxyBuilder.MIN_SPLICE_PIPE_SIZE
                    + ".." + ProxyBuilder.MAX_SPLICE_PIPE_SIZE + " bytes)");
        }
        ForwarderListener listener = new ForwarderListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(listen)
                .upstream(upstream)
                .transport(selection.transport())
                .forwarding(selection.forwarding())
                .connectTimeout(connectTimeout)
                .idleTimeout(idleTimeout)
                .drainTimeout(drainTimeout)
                .spliceThreshold(spliceThreshold)
                .splicePipeSize((int) splicePipeSize)
                .listener(listener);
        if (eventLoops != null) {
            builder.eventLoops(eventLoops);
        }
        if (directMemoryBudget != null) {
            builder.directMemoryBudget(directMemoryBudget);
        }
        if (reusePort != null && (reusePort
                || selection.transport().channelOption(TcpOption.SO_REUSEPORT, false) != null)) {
            // --no-reuse-port asks for one listening socket, which a transport without
            // SO_REUSEPORT (nio) always has: nothing to set there, and nothing to refuse.
            builder.socketOption(TcpOption.SO_REUSEPORT, reusePort);
        }
        Proxy proxy;
        try {
            // start() validates every setting before it binds, so a refused setting leaves nothing bound.
            proxy = builder.start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw usage(inOptionTerms(e.getMessage()));
        } catch (ProxyBindException e) {
            throw usage(e.getMessage() + " (expected: a free local address for --listen)");
        }
        LOGGER.info("zeroproxy forwarding {} -> {} (transport {}, mode {})",
                HostPortConverter.format(proxy.localAddress()), HostPortConverter.format(upstream),
                proxy.config().transport().name(), proxy.config().forwarding().name().toLowerCase(Locale.ROOT));
        return lifetime.run(proxy, listener);
    }

    /**
     * The builder names its settings ({@code "connectTimeout: PT0S (expected: > 0)"}); a command
     * line user knows them by their options, so the leading setting name is swapped for the option.
     */
    private static String inOptionTerms(String builderMessage) {
        if (builderMessage == null) {
            return "the proxy refused these settings";
        }
        int colon = builderMessage.indexOf(':');
        String option = colon < 0 ? null : OPTION_OF_SETTING.get(builderMessage.substring(0, colon));
        return option == null ? builderMessage : option + builderMessage.substring(colon);
    }

    /** A usage error: picocli prints its message as one line and exits 2. */
    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
