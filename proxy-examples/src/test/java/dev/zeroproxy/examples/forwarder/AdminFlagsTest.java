package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.FreePorts;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.PrometheusText;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * {@code --admin} and {@code --stats-refresh} on {@code forward} (in-process, through picocli)
 * and on {@code run -f FILE} (a real process): the endpoint serves while the proxy does and is
 * gone when it stops; an address in use is exit code 2 naming it, with the proxy closed again; a
 * refresh that is not whole seconds is refused before anything is bound. Loopback only.
 */
@Timeout(60)
class AdminFlagsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Pattern ADMIN_LINE = Pattern.compile("admin endpoint on http://127\\.0\\.0\\.1:(\\d+)/");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ServerSocket> upstreams = new ArrayList<>();

    private record Run(int exitCode, String err) { }

    @AfterEach
    void stopUpstreams() throws IOException {
        for (ServerSocket upstream : upstreams) {
            upstream.close();
        }
    }

    @Test
    void forwardServesItsStatsOnTheAdminPortWhileItRunsAndNotAfter() throws Exception {
        InetSocketAddress upstream = echo();
        int adminPort = FreePorts.outsideEphemeralRange(1).get(0);
        AtomicReference<String> json = new AtomicReference<>();
        AtomicReference<String> page = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            try {
                roundTrip(proxy.localAddress(), 5000);
                json.set(get(adminPort, "/stats.json"));
                page.set(get(adminPort, "/stats"));
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                proxy.close();
            }
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", hostPort(upstream), "--admin", ":" + adminPort,
                "--stats-refresh", "2s");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(json.get().contains("\"frontends\":[{\"name\":\"forward\""), json.get());
        assertTrue(json.get().contains("\"backends\":[{\"name\":\"upstream\""), json.get());
        assertTrue(json.get().contains("\"name\":\"" + hostPort(upstream) + "\""), "the server, named by its address");
        assertTrue(json.get().contains("\"in\":5000,\"out\":5000"), json.get());
        assertTrue(page.get().contains("<meta http-equiv=\"refresh\" content=\"2\">"), "--stats-refresh 2s");
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, adminPort).close(), "closed with the proxy");
    }

    @Test
    void anAdminAddressInUseIsExitCodeTwoNamingItAndTheProxyIsClosedAgain() throws Exception {
        InetSocketAddress upstream = echo();
        int listenPort = FreePorts.outsideEphemeralRange(1).get(0);
        try (ServerSocket taken = new ServerSocket(0, 50, LOOPBACK)) {
            Run run = run((proxy, listener) -> {
                proxy.close();
                throw new AssertionError("served although the admin address was taken");
            }, "forward", "--listen", "127.0.0.1:" + listenPort, "--upstream", hostPort(upstream),
                    "--admin", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(2, run.exitCode(), run.err());
            String line = run.err().strip();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("zeroproxy forward: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": "), line);
            assertTrue(line.endsWith("(expected: a free local address for --admin)"), line);
        }
        // The proxy had bound its port; it is free again.
        new ServerSocket(listenPort, 50, LOOPBACK).close();
    }

    @Test
    void aRefreshThatIsNotWholeSecondsIsAUsageErrorBeforeAnythingIsBound() throws Exception {
        Run run = run((proxy, listener) -> {
            proxy.close();
            throw new AssertionError("started with a bad --stats-refresh");
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--admin", "0",
                "--stats-refresh", "1500ms");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("'--stats-refresh'") && run.err().contains("'1500ms'")
                && run.err().contains("whole seconds from 1s to 1h"), run.err());
    }

    @Test
    void aRefreshWithoutAnAdminEndpointIsAUsageErrorRatherThanIgnored() throws Exception {
        Run run = run((proxy, listener) -> {
            proxy.close();
            throw new AssertionError("started with --stats-refresh and no endpoint");
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--stats-refresh", "10s");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--stats-refresh: there is no admin endpoint to refresh (expected: with --admin)"),
                run.err());
    }

    @Test
    void runServesTheFilesFrontendsAndBackendsOnTheAdminPort(@TempDir Path dir) throws Exception {
        InetSocketAddress app1 = echo();
        InetSocketAddress app2 = echo();
        InetSocketAddress web = new InetSocketAddress(LOOPBACK, FreePorts.outsideEphemeralRange(1).get(0));
        Path file = dir.resolve("zeroproxy.cfg");
        Files.writeString(file, String.join("\n",
                "defaults", "    mode tcp", "    timeout connect 2s", "    timeout client 1m", "    timeout server 1m",
                "frontend web", "    bind " + hostPort(web), "    default_backend app",
                "backend app", "    server app1 " + hostPort(app1), "    server app2 " + hostPort(app2), ""));
        try (ForwarderProcess zp = ForwarderProcess.start("run", "-f", file.toString(), "--admin", "127.0.0.1:0")) {
            Matcher admin = ADMIN_LINE.matcher(zp.awaitLine("admin endpoint on", Duration.ofSeconds(30)));
            assertTrue(admin.find(), zp.log());
            int adminPort = Integer.parseInt(admin.group(1));
            zp.awaitLine("zeroproxy running", Duration.ofSeconds(30));
            roundTrip(web, 3000);
            String json = get(adminPort, "/stats.json");
            assertTrue(json.contains("\"frontends\":[{\"name\":\"web\""), json);
            assertTrue(json.contains("\"backends\":[{\"name\":\"app\""), json);
            assertTrue(json.contains("\"name\":\"app1\"") && json.contains("\"name\":\"app2\""), json);
            assertTrue(json.contains("\"in\":3000,\"out\":3000"), json);
            zp.signal("TERM");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(30)), zp.log());
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, adminPort).close());
        }
    }

    @Test
    void forwardServesMetricsThatPrometheusOwnParserAcceptsWithTheExactCounts() throws Exception {
        PrometheusText.assumeParser();
        InetSocketAddress upstream = echo();
        int adminPort = FreePorts.outsideEphemeralRange(1).get(0);
        AtomicReference<String> metrics = new AtomicReference<>();
        Run run = run((proxy, listener) -> {
            try {
                for (int i = 0; i < 3; i++) {
                    roundTrip(proxy.localAddress(), 2000);
                }
                dev.zeroproxy.testkit.Await.until(() -> proxy.stats().activeConnections() == 0, Duration.ofSeconds(10),
                        () -> "closed");
                metrics.set(get(adminPort, "/metrics"));
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                proxy.close();
            }
            return 0;
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", hostPort(upstream), "--admin", ":" + adminPort);
        assertEquals(0, run.exitCode(), run.err());
        List<PrometheusText.Sample> samples = PrometheusText.parse(metrics.get());
        assertEquals(3, value(samples, "zeroproxy_connections_accepted_total", "proxy=forward"));
        assertEquals(6000, value(samples, "zeroproxy_forwarded_bytes_total", "direction=from_client,proxy=forward"));
        assertEquals(6000, value(samples, "zeroproxy_forwarded_bytes_total", "direction=from_upstream,proxy=forward"));
        assertEquals(3, value(samples, "zeroproxy_connections_closed_total", "proxy=forward,termination=completed"));
        assertEquals(3, value(samples, "zeroproxy_connection_duration_seconds_count", "proxy=forward"));
        assertEquals(3, value(samples, "zeroproxy_upstream_connect_attempts_total",
                "backend=upstream,server=" + hostPort(upstream)));
        assertEquals(1, value(samples, "zeroproxy_server_state", "backend=upstream,server=" + hostPort(upstream)
                + ",state=up"));
        assertEquals(1, value(samples, "zeroproxy_config_generation", ""));
        assertTrue(samples.stream().anyMatch(sample -> sample.family().startsWith("netty_eventexecutor")),
                "the event loops' own meters");
    }

    @Test
    void runServesTheAdminEndpointOfItsFilesStatsSectionAndMovesItOnReload(@TempDir Path dir) throws Exception {
        PrometheusText.assumeParser();
        InetSocketAddress app = echo();
        List<Integer> ports = FreePorts.outsideEphemeralRange(4);
        InetSocketAddress web = new InetSocketAddress(LOOPBACK, ports.get(0));
        InetSocketAddress api = new InetSocketAddress(LOOPBACK, ports.get(1));
        Path file = dir.resolve("zeroproxy.cfg");
        String config = String.join("\n",
                "defaults", "    mode tcp", "    timeout connect 2s", "    timeout client 1m", "    timeout server 1m",
                "frontend web", "    bind " + hostPort(web), "    default_backend app",
                "frontend api", "    bind " + hostPort(api), "    default_backend app",
                "backend app", "    server app1 " + hostPort(app),
                "listen stats", "    mode http", "    bind :%d", "    stats enable", "    stats uri /monitor", "");
        Files.writeString(file, String.format(config, ports.get(2)));
        try (ForwarderProcess zp = ForwarderProcess.start("run", "-f", file.toString())) {
            zp.awaitLine("zeroproxy running", Duration.ofSeconds(30));
            roundTrip(web, 1000);
            roundTrip(api, 500);
            roundTrip(api, 500);
            String page = get(ports.get(2), "/monitor");
            assertTrue(page.contains("Frontend web") && page.contains("Frontend api"), "the file's stats uri serves the page");
            List<PrometheusText.Sample> samples = PrometheusText.parse(get(ports.get(2), "/metrics"));
            assertEquals(1, value(samples, "zeroproxy_connections_accepted_total", "proxy=web"), "each frontend its own");
            assertEquals(2, value(samples, "zeroproxy_connections_accepted_total", "proxy=api"));
            assertEquals(1000, value(samples, "zeroproxy_forwarded_bytes_total", "direction=from_client,proxy=web"));

            Files.writeString(file, String.format(config, ports.get(3)));
            zp.signal("HUP");
            zp.awaitLine("stats now", Duration.ofSeconds(30));
            dev.zeroproxy.testkit.Await.until(() -> {
                try {
                    return get(ports.get(3), "/stats.json").contains("\"generation\":2");
                } catch (IOException | InterruptedException | AssertionError notYet) {
                    return false;
                }
            }, Duration.ofSeconds(20), () -> "the endpoint moved to its new port, generation 2: " + zp.log());
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, ports.get(2)).close(), "the old port is closed");
            assertEquals(2, value(PrometheusText.parse(get(ports.get(3), "/metrics")), "zeroproxy_config_generation", ""));
            zp.signal("TERM");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(30)), zp.log());
        }
    }

    /** The value of the sample {@code name} with exactly {@code labels} (k=v, sorted, comma-separated). */
    private static double value(List<PrometheusText.Sample> samples, String name, String labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(PrometheusText.Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + "{" + labels + "} among " + samples.stream()
                        .filter(s -> s.name().equals(name)).map(s -> s.labels()).toList()));
    }

    /** Runs the command line in-process with {@code lifetime} standing in for "serve until SIGTERM". */
    private static Run run(ProxyLifetime lifetime, String... args) {
        IFactory factory = new IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ForwardCommand.class ? cls.cast(new ForwardCommand(lifetime))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cmd = Main.commandLine(factory);
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(cmd.execute(args), err.toString());
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private InetSocketAddress echo() throws IOException {
        ServerSocket upstream = new ServerSocket(0, 50, LOOPBACK);
        upstreams.add(upstream);
        EchoUpstream.serve(upstream);
        return (InetSocketAddress) upstream.getLocalSocketAddress();
    }

    /** {@code size} random bytes echoed byte for byte, then a clean end both ways. */
    private static void roundTrip(InetSocketAddress proxy, int size) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(proxy, 5_000);
            client.setSoTimeout(15_000);
            byte[] sent = Payload.bytes(size, size);
            client.getOutputStream().write(sent);
            assertArrayEquals(sent, client.getInputStream().readNBytes(size));
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
        }
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
