package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.examples.admin.AdminOptions;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    /** The name of forward's one frontend, in its access log, metrics and stats page. */
    static final String FRONTEND = "forward";


    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Address to accept clients on, e.g. 127.0.0.1:8080 or [::]:8080; port 0 picks a free port.")
    private InetSocketAddress listen;

    @Option(names = "--upstream", required = true, paramLabel = "HOST:PORT[,weight=N][,backup][,max-conn=N]",
            converter = UpstreamOptionConverter.class,
            description = "A server connections are relayed to; repeat it for a group, e.g. --upstream"
                    + " 10.0.0.7:5432,weight=2 --upstream 10.0.0.8:5432,backup. weight 1..256 (default 1);"
                    + " backup: used only while no other server is usable; max-conn: most connections at once"
                    + " (default no limit; past it, clients wait up to --connect-timeout). Each host is"
                    + " resolved once, at start.")
    private List<ServerSpec> upstreams;

    @Option(names = "--balance", paramLabel = "ALGORITHM",
            description = "How a server is chosen per connection: roundrobin (weighted), leastconn (fewest open"
                    + " connections per weight; for long sessions), random2 (the less busy of two random servers)"
                    + " or source (consistent hash of the client's IP address) (default: ${DEFAULT-VALUE}).")
    private String balance;

    @Option(names = "--check", arity = "0..1", paramLabel = "INTERVAL", converter = DurationConverter.class,
            fallbackValue = "2s",
            description = "Check every server with a TCP connect each INTERVAL (default 2s when given without one):"
                    + " down after 3 failures in a row, up after 2 successes. Without --check, servers that fail"
                    + " connects are ejected for a while instead.")
    private Duration checkInterval;

    @Option(names = "--retries", paramLabel = "N",
            description = "Failed connects retried per connection, each on another server where there is one,"
                    + " 0..100 (default: ${DEFAULT-VALUE}).")
    private int retries;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Most connections at once; past it, new clients wait in the kernel's listen backlog"
                    + " (default: no limit).")
    private Integer maxConnections;

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
                    + " for all event loops. Default: one socket per event loop where the transport can; the"
                    + " start is refused if anything listens on the port already, but a later process of this"
                    + " user that sets SO_REUSEPORT itself (such as a forwarder started with --reuse-port) can"
                    + " still join (the kernel groups such sockets by user): --no-reuse-port rules that out.")
    private Boolean reusePort;

    @Mixin
    private EdgeOptions edge = new EdgeOptions();

    @Mixin
    private AdminOptions admin = new AdminOptions();

    @Mixin
    private ObservabilityOptions observability = new ObservabilityOptions();

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
        UpstreamGroup group = upstreamGroup();
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
        // Opened before anything is bound: a path that cannot be written is a usage error.
        Instrumentation instruments = Instrumentation.open(spec, observability, admin, Optional.empty(), false);
        ProxyRuntime loops = null;
        try {
            if (admin.enabled()) {
                // The admin endpoint runs on the proxy's loops. On loops of their own the proxy
                // would stop them as it closes, with the endpoint's sockets on them; on a runtime
                // they outlive the proxy, so the endpoint closes (on running loops) before they stop.
                loops = startLoops(selection);
            }
            return forward(group, selection, listener, instruments, loops);
        } finally {
            instruments.close(); // after the drain: the last connections' lines and events are written
            if (loops != null) {
                loops.close();
            }
        }
    }

    private ProxyRuntime startLoops(TransportSelection selection) {
        ProxyRuntime.Builder loops = ProxyRuntime.builder().transport(selection.transport());
        if (eventLoops != null) {
            loops.eventLoops(eventLoops);
        }
        try {
            return loops.start();
        } catch (IllegalArgumentException e) {
            throw usage(SettingMessages.inOptionTerms(e));
        }
    }

    private int forward(UpstreamGroup group, TransportSelection selection, ForwarderListener listener,
            Instrumentation instruments, ProxyRuntime loops) {
        ProxyBuilder builder = Proxy.builder()
                .listen(listen)
                .upstream(group)
                .transport(selection.transport())
                .forwarding(selection.forwarding())
                .connectTimeout(connectTimeout)
                .idleTimeout(idleTimeout)
                .drainTimeout(drainTimeout)
                .spliceThreshold(spliceThreshold)
                .splicePipeSize((int) splicePipeSize)
                .listener(ProxyListener.all(listener, instruments.frontend(FRONTEND)));
        if (eventLoops != null) {
            builder.eventLoops(eventLoops);
        }
        if (loops != null) {
            builder.runtime(loops);
        }
        if (maxConnections != null) {
            builder.maxConnections(maxConnections);
        }
        try {
            edge.applyTo(builder);
        } catch (IllegalArgumentException e) {
            throw usage(SettingMessages.inOptionTerms(e));
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
        instruments.started(FRONTEND, proxy, group);
        LOGGER.info("zeroproxy forwarding {} -> {} (transport {}, mode {})",
                HostPortConverter.format(proxy.localAddress()), describe(group),
                proxy.config().transport().name(), proxy.config().forwarding().name().toLowerCase(Locale.ROOT));
        return instruments.serve(proxy::stats, () -> lifetime.run(proxy, listener));
    }


    /** The servers of the --upstream flags as one group, with the balancing, checks and retries asked for. */
    private UpstreamGroup upstreamGroup() {
        Balance algorithm;
        try {
            algorithm = Balance.ofKeyword(balance);
        } catch (IllegalArgumentException e) {
            throw usage(SettingMessages.inOptionTerms(e));
        }
        UpstreamGroup.Builder group = UpstreamGroup.builder("upstream").balance(algorithm).retries(retries);
        upstreams.forEach(group::server);
        try {
            if (checkInterval != null) {
                // The check's timeout stays the default, 1 s, capped at the interval.
                group.healthCheck(HealthCheck.builder().interval(checkInterval).build());
            }
            return group.build();
        } catch (IllegalArgumentException e) {
            throw usage(SettingMessages.inOptionTerms(e));
        }
    }

    /** The group as the start line shows it: the one server, or how many and how they are balanced. */
    private String describe(UpstreamGroup group) {
        List<String> names = new ArrayList<>();
        group.servers().forEach(server -> names.add(server.name() + (server.backup() ? " (backup)" : "")
                + (server.weight() != 1 ? " weight " + server.weight() : "")));
        String checks = checkInterval != null ? ", checked every " + DurationConverter.format(checkInterval) : "";
        return names.size() == 1 ? names.get(0) + checks
                : names.size() + " servers " + names + " by " + balance + checks;
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
