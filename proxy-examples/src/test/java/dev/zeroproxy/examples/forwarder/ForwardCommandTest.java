package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Runs {@code zeroproxy forward} in-process through picocli: bad input must end in exit code
 * 2 with one line naming the value before anything is bound; good input must start a proxy
 * that relays. Only 127.0.0.1 and port 0 are bound.
 */
@Timeout(30)
class ForwardCommandTest {

    /** What one run printed and returned. */
    private record Run(int exitCode, String err, String out) { }

    /** Runs the command line with {@code lifetime} standing in for "serve until SIGTERM". */
    private static Run run(ProxyLifetime lifetime, String... args) {
        IFactory factory = new IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ForwardCommand.class
                        ? cls.cast(new ForwardCommand(lifetime))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cmd = Main.commandLine(factory);
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(out, true));
        int exitCode = cmd.execute(args);
        return new Run(exitCode, err.toString(), out.toString());
    }

    /** A lifetime that must never be reached: the run is expected to fail before binding. */
    private static Run runExpectingRefusal(String... args) {
        return run((proxy, listener) -> {
            proxy.close();
            throw new AssertionError("the proxy started, but " + String.join(" ", args) + " should be refused");
        }, args);
    }

    private static void assertOneLineUsageError(Run run, String... fragments) {
        assertEquals(2, run.exitCode(), run.err());
        String line = run.err().strip();
        assertFalse(line.contains("\n"), "expected one line on stderr, got:\n" + run.err());
        assertTrue(line.startsWith("zeroproxy forward: "), line);
        for (String fragment : fragments) {
            assertTrue(line.contains(fragment), "expected '" + fragment + "' in: " + line);
        }
        assertFalse(line.contains("Exception"), "no exception class names or stack traces: " + line);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--upstream  | 127.0.0.1:notaport | '127.0.0.1:notaport': port 'notaport' is not a number",
        "--upstream  | 127.0.0.1:70000    | port 70000 is out of range",
        "--listen    | 127.0.0.1          | '127.0.0.1': no port",
        "--listen    | ::1:80             | needs brackets",
    })
    void badAddressIsAUsageErrorNamingTheOptionAndTheValue(String option, String value, String problem) {
        String listen = option.equals("--listen") ? value : "127.0.0.1:0";
        String upstream = option.equals("--upstream") ? value : "127.0.0.1:9";
        Run run = runExpectingRefusal("forward", "--listen", listen, "--upstream", upstream);
        assertOneLineUsageError(run, "'" + option + "'", problem, "expected: HOST:PORT");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--connect-timeout | 5        | '5' is not a duration",
        "--idle-timeout    | 1 hour   | '1 hour' is not a duration",
        "--drain-timeout   | -30s     | '-30s' is not a duration",
    })
    void badDurationIsAUsageErrorNamingTheOptionAndTheValue(String option, String value, String problem) {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                option, value);
        assertOneLineUsageError(run, "'" + option + "'", problem, "e.g. 500ms, 5s, 2m, 1h");
    }

    @Test
    void settingTheBuilderRefusesIsReportedUnderTheOptionName() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--connect-timeout", "0");
        assertOneLineUsageError(run, "--connect-timeout: 0s (expected: > 0)");

        run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--event-loops", "0");
        assertOneLineUsageError(run, "--event-loops: 0 (expected: 1..4096)");

        run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--splice-pipe-size", "1k");
        assertOneLineUsageError(run, "--splice-pipe-size: 1k (expected: 4k..1g)");

        run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--splice-pipe-size", "2g");
        assertOneLineUsageError(run, "--splice-pipe-size: 2g (expected: 4k..1g)");

        run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--direct-memory-budget", "1k");
        assertOneLineUsageError(run, "--direct-memory-budget: 1k (expected: 64k..");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--upstream        | 127.0.0.1:9,weight=0       | --upstream' | weight 0 is out of range 1..256",
        "--upstream        | 127.0.0.1:9,weight=x       | --upstream' | weight 'x' is not a whole number",
        "--upstream        | 127.0.0.1:9,color=red      | --upstream' | unknown option 'color=red'",
        "--upstream        | 127.0.0.1:9,backup,backup  | --upstream' | backup given twice",
        "--upstream        | 127.0.0.1:9,max-conn=-1    | --upstream' | max-conn -1 is out of range",
        "--balance         | fastest                    | --balance:  | 'fastest' (expected: one of roundrobin, leastconn, random2, source)",
        "--retries         | 101                        | --retries:  | 101 (expected: 0..100)",
        "--max-connections | -5                         | --max-connections: | -5 (expected: 0..",
        "--check=5ms       |                            | --check:    | 5ms (expected: ",
    })
    void badGroupSettingsAreUsageErrorsNamingTheFlagAndTheValue(String option, String value, String flag,
            String problem) {
        List<String> args = new ArrayList<>(List.of("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"));
        if (option.equals("--upstream")) {
            args.set(4, value);
        } else {
            args.add(option);
            if (value != null) {
                args.add(value);
            }
        }
        Run run = runExpectingRefusal(args.toArray(String[]::new));
        assertOneLineUsageError(run, flag, problem);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--allow                    | 10.0.0.0/33 | --allow: 10.0.0.0/33 (expected: ",
        "--deny                     | nowhere     | --deny: nowhere (expected: ",
        "--accept-proxy             | 10.1.2.3/8  | --accept-proxy: 10.1.2.3/8 (expected: ",
        "--send-proxy               | v3          | --send-proxy: 'v3' (expected: v1 or v2)",
        "--source                   | localhost   | --source: 'localhost' is not an IP address",
        "--max-conn-per-source      | -1          | --max-conn-per-source: -1 (expected: ",
        "--max-conn-rate-per-source | fast        | --max-conn-rate-per-source: 'fast' (expected: ",
    })
    void badEdgeSettingsAreUsageErrorsNamingTheFlagAndTheValue(String option, String value, String problem) {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", option,
                value);
        assertOneLineUsageError(run, problem);
    }

    @Test
    void edgeFlagsSetTheProxysEdges() {
        AtomicReference<Proxy> started = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            started.set(proxy);
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--transport", "nio",
                "--allow", "127.0.0.5", "--deny", "127.0.0.0/8", "--allow", "all", "--accept-proxy",
                "--send-proxy", "v2", "--source", "127.0.0.2,127.0.0.3", "--max-conn-per-source", "10",
                "--max-conn-rate-per-source", "20/s");
        assertEquals(0, run.exitCode(), run.err());
        dev.zeroproxy.ProxyConfig config = started.get().config();
        assertEquals("[allow 127.0.0.5/32 (rule 1), deny 127.0.0.0/8 (rule 2), allow all (rule 3)]",
                config.accessRules().rules().stream().map(r -> r.describe()).toList().toString());
        assertEquals(List.of("127.0.0.0/8", "::1"), config.acceptProxyProtocol().orElseThrow().trusted());
        assertEquals(2, config.sendProxyProtocol().orElseThrow().version());
        assertEquals(10, config.sourceLimits().maxConnectionsPerSource());
        assertEquals(20, config.sourceLimits().maxNewConnectionsPerSecondPerSource());
        assertTrue(config.sourcePool().isPresent());
    }

    @Test
    void theSameUpstreamTwiceIsRefused() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--upstream", "127.0.0.1:9");
        assertOneLineUsageError(run, "--upstream: 127.0.0.1:9 (expected: a name used once in group upstream)");
    }

    @Test
    void repeatedUpstreamsMakeAGroupWithTheBalancingChecksRetriesAndLimitsAskedFor() {
        AtomicReference<Proxy> started = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            started.set(proxy);
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--upstream",
                "127.0.0.1:10,weight=2,max-conn=5", "--upstream", "127.0.0.1:11,backup", "--balance", "leastconn",
                "--check=500ms", "--retries", "2", "--max-connections", "100", "--transport", "nio");
        assertEquals(0, run.exitCode(), run.err());
        Proxy proxy = started.get();
        UpstreamGroup group = (UpstreamGroup) proxy.config().upstream();
        assertEquals(Balance.LEAST_CONNECTIONS, group.balance());
        assertEquals(2, group.retries());
        assertEquals(100, proxy.config().maxConnections());
        assertEquals(Duration.ofMillis(500), group.healthCheck().orElseThrow().interval());
        List<ServerSnapshot> servers = group.servers();
        assertEquals(List.of("127.0.0.1:9", "127.0.0.1:10", "127.0.0.1:11"),
                servers.stream().map(ServerSnapshot::name).toList());
        assertEquals(List.of(1, 2, 1), servers.stream().map(ServerSnapshot::weight).toList());
        assertEquals(List.of(0, 5, 0), servers.stream().map(ServerSnapshot::maxConnections).toList());
        assertEquals(List.of(false, false, true), servers.stream().map(ServerSnapshot::backup).toList());
    }

    @Test
    void oneUpstreamIsAGroupOfOneWithTheDefaults() {
        AtomicReference<Proxy> started = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            started.set(proxy);
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--transport", "nio");
        assertEquals(0, run.exitCode(), run.err());
        UpstreamGroup group = (UpstreamGroup) started.get().config().upstream();
        assertEquals(Balance.ROUND_ROBIN, group.balance());
        assertEquals(UpstreamGroup.DEFAULT_RETRIES, group.retries());
        assertTrue(group.healthCheck().isEmpty(), "no checks without --check");
        assertEquals(0, started.get().config().maxConnections());
    }

    @Test
    void upstreamPortZeroIsRefused() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:0");
        assertOneLineUsageError(run, "'--upstream'", "'127.0.0.1:0': port 0 cannot be connected to",
                "expected: a port 1..65535");
    }

    @Test
    void unknownTransportIsRefusedListingTheKnownOnes() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--transport", "carrier-pigeon");
        assertOneLineUsageError(run, "--transport: 'carrier-pigeon' is not a transport of this build",
                "expected one of: auto, ", "nio");
    }

    @Test
    void explicitAutoModeOnNioIsRefusedByTheBuilderWithItsMessage() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--transport", "nio", "--mode", "auto");
        assertOneLineUsageError(run, "--mode: AUTO is not supported by transport nio", "expected: ");
    }

    @Test
    void spliceOnNioIsRefused() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--transport", "nio", "--mode", "splice");
        assertOneLineUsageError(run, "--mode: SPLICE is not supported by transport nio");
    }

    @Test
    void unknownModeIsAUsageError() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--mode", "fast");
        assertOneLineUsageError(run, "'--mode'", "'fast'");
    }

    @Test
    void missingUpstreamIsAUsageError() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0");
        assertOneLineUsageError(run, "Missing required option", "--upstream");
    }

    @Test
    void listenAddressInUseIsAUsageErrorNamingTheAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Run run = runExpectingRefusal("forward", "--listen", address, "--upstream", "127.0.0.1:9",
                    "--transport", "nio");
            assertOneLineUsageError(run, "cannot bind " + address, "expected: a free local address for --listen");
        }
    }

    /**
     * The finding of issue 9: with two or more event loops a second forwarder on a served port
     * printed its ready line and took a share of the connections. Now it is refused, whatever
     * the loop count, unless both ask to share with --reuse-port.
     */
    @Test
    void aSecondForwarderOnAServedPortIsRefused() {
        AtomicReference<Run> second = new AtomicReference<>();
        AtomicReference<Run> sharing = new AtomicReference<>();
        Run first = run((proxy, listener) -> {
            String served = HostPortConverter.format(proxy.localAddress());
            second.set(runExpectingRefusal("forward", "--listen", served, "--upstream", "127.0.0.1:9",
                    "--event-loops", "2"));
            sharing.set(run((joined, l) -> {
                joined.close();
                return 0;
            }, "forward", "--listen", served, "--upstream", "127.0.0.1:9", "--event-loops", "2", "--reuse-port"));
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--event-loops", "2", "--reuse-port");
        assertEquals(0, first.exitCode(), first.err());
        assertOneLineUsageError(second.get(), "cannot bind 127.0.0.1:", "in use",
                "expected: a free local address for --listen");
        assertEquals(0, sharing.get().exitCode(), "both asked to share: " + sharing.get().err());
    }

    @Test
    void anUnknownLogLevelIsAUsageErrorListingTheLevels() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--log-level", "loud");
        assertOneLineUsageError(run, "--log-level", "loud", "ERROR, WARN, INFO, DEBUG, TRACE");
    }

    @Test
    void noReusePortIsWhatNioDoesAnyway() {
        AtomicReference<Integer> listeners = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            listeners.set(((dev.zeroproxy.internal.ProxyServer) proxy).serverChannels().size());
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--transport", "nio", "--no-reuse-port");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, listeners.get());
    }

    @Test
    void reusePortOnATransportWithoutItNamesTheFlag() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--transport", "nio", "--reuse-port");
        assertOneLineUsageError(run, "--reuse-port: not supported by transport nio");
    }

    /** Issue 9, finding 8: a misspelt required option was reported as missing, with no hint. */
    @Test
    void aMisspeltRequiredOptionGetsASuggestion() {
        Run run = runExpectingRefusal("forward", "--listen", "127.0.0.1:0", "--upstrem", "127.0.0.1:9");
        assertOneLineUsageError(run, "Missing required option", "(did you mean --upstream for --upstrem?)");
    }

    @Test
    void noCommandIsAUsageError() {
        Run run = runExpectingRefusal();
        assertEquals(2, run.exitCode());
        assertEquals("zeroproxy: no command given (expected: forward, run, check or demo; see zeroproxy --help)",
                run.err().strip());
    }

    @Test
    void validArgumentsStartAProxyThatRelaysByteExactToTheUpstream() throws IOException {
        Payload payload = new Payload(7);
        long length = 3L * Payload.BLOCK_SIZE + 12_345;
        AtomicReference<Proxy> started = new AtomicReference<>();
        AtomicReference<BulkSender.Answer> answer = new AtomicReference<>();
        try (LoopbackSink upstream = LoopbackSink.start()) {
            Run run = run((proxy, listener) -> {
                started.set(proxy);
                try {
                    answer.set(BulkSender.send(proxy.localAddress(), payload, length, new AtomicLong()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    proxy.close();
                }
                return 0;
            }, "forward", "--listen", "127.0.0.1:0", "--upstream", HostPortConverter.format(upstream.address()),
                    "--transport", "nio", "--connect-timeout", "2s", "--idle-timeout", "0", "--drain-timeout", "1s",
                    "--event-loops", "1", "--splice-threshold", "64k", "--splice-pipe-size", "256k",
                    "--direct-memory-budget", "64m");

            assertEquals(0, run.exitCode(), run.err());
            assertEquals("", run.err());
        }
        Proxy proxy = started.get();
        assertNotEquals(0, proxy.localAddress().getPort(), "port 0 is read back as the bound port");
        assertEquals("nio", proxy.config().transport().name());
        assertEquals(Forwarding.COPY, proxy.config().forwarding(), "no --mode on nio falls back to copy");
        assertEquals(Duration.ofSeconds(2), proxy.config().connectTimeout());
        assertEquals(64 * 1024, proxy.config().spliceThreshold());
        assertEquals(64L << 20, proxy.config().directMemoryBudget());
        assertEquals(256 * 1024, proxy.config().splicePipeSize());
        assertEquals(Duration.ZERO, proxy.config().idleTimeout());
        assertEquals(Duration.ofSeconds(1), proxy.config().drainTimeout());
        assertEquals(1, proxy.config().eventLoops());
        assertFalse(proxy.isAccepting());
        assertEquals(length, answer.get().bytes());
        assertEquals(payload.checksum(length), answer.get().checksum());
    }

    @Test
    void defaultsComeFromTheLibrary() throws IOException {
        AtomicReference<Proxy> started = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            started.set(proxy);
            proxy.close();
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9");
        assertEquals(0, run.exitCode(), run.err());
        Proxy proxy = started.get();
        assertEquals(dev.zeroproxy.ProxyBuilder.DEFAULT_CONNECT_TIMEOUT, proxy.config().connectTimeout());
        assertEquals(dev.zeroproxy.ProxyBuilder.DEFAULT_IDLE_TIMEOUT, proxy.config().idleTimeout());
        assertEquals(dev.zeroproxy.ProxyBuilder.DEFAULT_DRAIN_TIMEOUT, proxy.config().drainTimeout());
        TransportSelection auto = TransportSelection.resolve("auto", null);
        assertEquals(auto.transport(), proxy.config().transport());
        assertEquals(auto.forwarding(), proxy.config().forwarding());
    }
}
