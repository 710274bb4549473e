package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.TcpOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
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
            description = "With --mode auto: bytes a direction copies before it splices, e.g. 256k; it"
                    + " splices at the first read of 16k or more after them (small messages stay copied);"
                    + " 0 splices at once (default: ${DEFAULT-VALUE}).")
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
            // The builder takes an int; past that, refuse here, in the same words as the builder would.
            throw usage(SettingMessages.inOptionTerms(InvalidSettingException.outOfRange("splicePipeSize",
                    splicePipeSize, (long) ProxyBuilder.MIN_SPLICE_PIPE_SIZE, (long) ProxyBuilder.MAX_SPLICE_PIPE_SIZE,
                    "bytes")));
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
            throw usage(SettingMessages.inOptionTerms(e));
        } catch (ProxyBindException e) {
            throw usage(e.getMessage() + " (expected: a free local address for --listen)");
        }
        warnAboutIneffectiveSettings(proxy);
        LOGGER.info("zeroproxy forwarding {} -> {} (transport {}, mode {})",
                HostPortConverter.format(proxy.localAddress()), HostPortConverter.format(upstream),
                proxy.config().transport().name(), proxy.config().forwarding().name().toLowerCase(Locale.ROOT));
        return lifetime.run(proxy, listener);
    }


    /** Flags given that will do nothing with the mode chosen, and a pipe size the kernel will refuse. */
    private void warnAboutIneffectiveSettings(Proxy proxy) {
        Forwarding forwarding = proxy.config().forwarding();
        Set<String> given = new HashSet<>();
        spec.commandLine().getParseResult().matchedOptions().forEach(option -> given.add(option.longestName()));
        StartupWarnings.ineffectiveFlags(given, forwarding, proxy.config().transport().name()).forEach(LOGGER::warn);
        if (forwarding != Forwarding.COPY) {
            String pipe = StartupWarnings.pipeSizeHere(proxy.config().splicePipeSize());
            if (pipe != null) {
                LOGGER.warn(pipe);
            }
        }
    }

    /** A usage error: picocli prints its message as one line and exits 2. */
    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
