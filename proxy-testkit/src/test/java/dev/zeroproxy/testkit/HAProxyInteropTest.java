package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyProtocolSend;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with the real thing: HAProxy (Debian's package) on either side of ZeroProxy, each
 * case checked end to end — the payload echoes byte for byte, and the address seen at the far
 * end is the real client's (a socket bound to {@code 127.0.0.23}, so it cannot be confused with
 * the proxies' own {@code 127.0.0.1}).
 *
 * <ul>
 *   <li>HAProxy {@code send-proxy-v2} / {@code send-proxy} in front of ZeroProxy accepting;
 *   <li>ZeroProxy sending v2 / v1 to HAProxy {@code accept-proxy}, which sends v2 on to a server
 *       that parses the header itself (written here from the spec, not ZeroProxy's code);
 *   <li>the whole chain: HAProxy → ZeroProxy → HAProxy → a ZeroProxy at the far end.
 * </ul>
 *
 * <p>The tests run when {@code haproxy} is on PATH (or in {@code /usr/sbin}, where Debian puts
 * it and where a non-root PATH may not look) and skip, saying why, otherwise; {@code .ci/run}
 * installs it, and {@code -Dzeroproxy.requireHaproxy=true} turns the skip into a failure.
 * ZeroProxy runs on nio here: what is under test is the PROXY protocol on the wire, which the
 * transports share (the per-transport suite is {@link ProxyProtocolSuite}).
 *
 * <p>Each HAProxy runs in the foreground ({@code -db}, no {@code daemon} in its config) as a
 * child of this JVM, is killed through its {@link Process} handle after the test (and by a
 * shutdown hook should the JVM exit first), and writes its output to a file in the test's temp
 * dir, which is only shown when something fails: HAProxy's own noise never fails a test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HAProxyInteropTest {
    private static final String SKIP = "haproxy not on PATH: install Debian's haproxy package to run the interop tests";
    private static final Optional<Path> HAPROXY = findHaproxy();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** The real client's source address: distinct from the 127.0.0.1 every proxy connects from. */
    private static final InetAddress CLIENT_ADDRESS = loopback(23);
    /** Where the readiness probe comes from: each HAProxy refuses it at accept (see {@link HAProxy}). */
    private static final InetAddress PROBE_ADDRESS = loopback(99);
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @TempDir
    Path dir;

    private final List<Socket> clients = new ArrayList<>();
    private final List<HAProxy> haproxies = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();
    private final List<LoopbackServer> servers = new ArrayList<>();

    @BeforeAll
    static void sayWhyWeSkip() {
        if (HAPROXY.isEmpty()) {
            System.out.println("HAProxyInteropTest skipped: " + SKIP);
            if (Boolean.getBoolean("zeroproxy.requireHaproxy")) {
                throw new AssertionError(SKIP);
            }
        }
    }

    /** Per test, so that each is reported skipped with the reason (a class-level abort reports none). */
    @BeforeEach
    void requireHaproxy() {
        Assumptions.assumeTrue(HAPROXY.isPresent(), SKIP);
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            for (Socket client : clients) {
                client.close();
            }
            // While the HAProxies still run: every connection through them ended cleanly.
            for (Proxy proxy : proxies) {
                Await.until(() -> proxy.stats().openChannels() == 0, Duration.ofSeconds(10),
                        () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            AssertionError lingering = null;
            for (HAProxy haproxy : haproxies) {
                try {
                    haproxy.close();
                } catch (AssertionError e) { // still alive after SIGKILL: close the rest, then fail
                    lingering = e;
                }
            }
            proxies.forEach(Proxy::close);
            for (LoopbackServer server : servers) {
                server.close(); // rethrows a failure of its handler
            }
            if (lingering != null) {
                throw lingering;
            }
        }
    }

    // ---- HAProxy in front of ZeroProxy ----

    @Test
    void haproxySendProxyV2InFrontOfZeroProxyAcceptingPreservesTheClient() throws Exception {
        haproxyInFront("send-proxy-v2", 2);
    }

    @Test
    void haproxySendProxyV1InFrontOfZeroProxyAcceptingPreservesTheClient() throws Exception {
        haproxyInFront("send-proxy", 1);
    }

    private void haproxyInFront(String sendProxy, int version) throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy zeroProxy = zeroProxy(echo().address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        HAProxy haproxy = haproxy("", zeroProxy.localAddress(), sendProxy);

        Socket client = connect(haproxy.address());
        echoes(client, Payload.bytes(version, 1 << 20), haproxy);

        ConnectionInfo seen = connected(events);
        assertEquals(client.getLocalSocketAddress(), seen.originalClient(), "ZeroProxy saw the real client");
        assertEquals(haproxy.address(), seen.originalDestination().orElseThrow(), "where the client connected");
        assertEquals(version, seen.proxyHeader().version());
        assertEquals(1, events.of("connected").size(), "the client's connection alone: " + events.all());
    }

    // ---- ZeroProxy in front of HAProxy ----

    @Test
    void zeroProxySendingV2ToHaproxyAcceptProxyPreservesTheClient() throws Exception {
        zeroProxyInFront(ProxyProtocolSend.v2().withCrc32c());
    }

    @Test
    void zeroProxySendingV1ToHaproxyAcceptProxyPreservesTheClient() throws Exception {
        zeroProxyInFront(ProxyProtocolSend.v1());
    }

    private void zeroProxyInFront(ProxyProtocolSend send) throws Exception {
        BlockingQueue<V2Header> headers = new LinkedBlockingQueue<>();
        LoopbackServer farEnd = parsingEcho(headers);
        HAProxy haproxy = haproxy(" accept-proxy", farEnd.address(), "send-proxy-v2");
        Proxy zeroProxy = zeroProxy(haproxy.address(), new RecordingListener(), b -> b.sendProxyProtocol(send));

        Socket client = connect(zeroProxy.localAddress());
        echoes(client, Payload.bytes(10 + send.version(), 1 << 20), haproxy);

        V2Header header = headers.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(header, "the far end got a v2 header from HAProxy");
        assertEquals(client.getLocalSocketAddress(), header.source(), "the real client, through ZeroProxy and HAProxy");
        assertEquals(zeroProxy.localAddress(), header.destination(), "where the client connected: ZeroProxy");
        assertEquals(0, headers.size(), "one connection reached the far end");
    }

    // ---- the whole chain ----

    @Test
    void haproxyThenZeroProxySendingV2ThenHaproxyPreserveTheClientToTheFarEnd() throws Exception {
        fullChain(ProxyProtocolSend.v2().withCrc32c());
    }

    @Test
    void haproxyThenZeroProxySendingV1ThenHaproxyPreserveTheClientToTheFarEnd() throws Exception {
        fullChain(ProxyProtocolSend.v1());
    }

    /** client → HAProxy 1 (send-proxy-v2) → ZeroProxy (accept, send) → HAProxy 2 (accept-proxy, send-proxy-v2) → ZeroProxy (accept) → echo. */
    private void fullChain(ProxyProtocolSend send) throws Exception {
        RecordingListener farEvents = new RecordingListener();
        Proxy farEnd = zeroProxy(echo().address(), farEvents, b -> b.acceptProxyProtocol(trustLoopback()));
        HAProxy behind = haproxy(" accept-proxy", farEnd.localAddress(), "send-proxy-v2");
        RecordingListener middleEvents = new RecordingListener();
        Proxy middle = zeroProxy(behind.address(), middleEvents,
                b -> b.acceptProxyProtocol(trustLoopback()).sendProxyProtocol(send));
        HAProxy inFront = haproxy("", middle.localAddress(), "send-proxy-v2");

        Socket client = connect(inFront.address());
        echoes(client, Payload.bytes(20 + send.version(), 1 << 20), inFront, behind);

        ConnectionInfo atMiddle = connected(middleEvents);
        assertEquals(client.getLocalSocketAddress(), atMiddle.originalClient(), "the middle ZeroProxy saw the client");
        ConnectionInfo atFarEnd = connected(farEvents);
        assertEquals(client.getLocalSocketAddress(), atFarEnd.originalClient(),
                "the far end saw the real client, four hops on");
        assertEquals(inFront.address(), atFarEnd.originalDestination().orElseThrow(),
                "and where the client connected: the first HAProxy");
        assertEquals(2, atFarEnd.proxyHeader().version(), "HAProxy 2 spoke v2");
        assertEquals(1, farEvents.of("connected").size(), "the client's connection alone: " + farEvents.all());
    }

    // ---- the pieces ----

    private static ProxyProtocolAccept trustLoopback() {
        return ProxyProtocolAccept.from("127.0.0.0/8");
    }

    private Proxy zeroProxy(InetSocketAddress upstream, RecordingListener events, Consumer<ProxyBuilder> settings) {
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(Transport.named("nio"))
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(builder);
        Proxy proxy = builder.start();
        proxies.add(proxy);
        return proxy;
    }

    private LoopbackServer echo() throws IOException {
        LoopbackServer server = LoopbackServer.echo();
        servers.add(server);
        return server;
    }

    /** An echo server that first reads the PROXY v2 header HAProxy sends and queues what it said. */
    private LoopbackServer parsingEcho(BlockingQueue<V2Header> headers) throws IOException {
        LoopbackServer server = LoopbackServer.start(socket -> {
            InputStream in = socket.getInputStream();
            headers.add(V2Header.read(in));
            LoopbackServer.echoUntilEof(socket);
        });
        servers.add(server);
        return server;
    }

    private HAProxy haproxy(String bindOptions, InetSocketAddress server, String serverOptions) throws Exception {
        HAProxy haproxy = HAProxy.start(HAPROXY.orElseThrow(), dir.resolve("haproxy-" + (haproxies.size() + 1)),
                bindOptions, server, serverOptions);
        haproxies.add(haproxy);
        return haproxy;
    }

    /** The real client: a socket bound to 127.0.0.23. */
    private Socket connect(InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
        socket.connect(to, 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    /** Sends {@code payload}, reads its echo, half-closes and expects a clean end; on failure shows HAProxy's output. */
    private static void echoes(Socket client, byte[] payload, HAProxy... involved) throws IOException {
        try {
            client.getOutputStream().write(payload);
            assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length), "echoed byte for byte");
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "a clean end");
        } catch (IOException | AssertionError e) {
            StringBuilder logs = new StringBuilder();
            for (HAProxy haproxy : involved) {
                logs.append('\n').append(haproxy.describe());
            }
            throw new AssertionError(e + logs.toString(), e);
        }
    }

    private static ConnectionInfo connected(RecordingListener events) {
        Await.until(() -> !events.of("connected").isEmpty(), PATIENCE, () -> "the upstream connected: " + events.all());
        return events.of("connected").get(0).connection();
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code haproxy} on PATH, else Debian's {@code /usr/sbin/haproxy} (not on a non-root user's
     * PATH); {@code -Dzeroproxy.haproxy=/path/to/haproxy} names another (or, naming nothing
     * executable, shows the skip).
     */
    private static Optional<Path> findHaproxy() {
        String named = System.getProperty("zeroproxy.haproxy", "");
        if (!named.isEmpty()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Arrays.stream(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "haproxy"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** What a PROXY v2 header said: the client and where it connected. */
    record V2Header(InetSocketAddress source, InetSocketAddress destination) {
        /** Reads one v2 header for TCP over IPv4 (PROXY command), TLVs skipped, following haproxy's doc/proxy-protocol.txt. */
        static V2Header read(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in); // unbuffered: the payload stays in {@code in}
            byte[] signature = data.readNBytes(12);
            assertArrayEquals(V2_SIGNATURE, signature, "the v2 signature");
            assertEquals(0x21, data.readUnsignedByte(), "version 2, PROXY command");
            assertEquals(0x11, data.readUnsignedByte(), "TCP over IPv4");
            int length = data.readUnsignedShort();
            byte[] body = new byte[length];
            data.readFully(body);
            if (length < 12) {
                throw new AssertionError("an IPv4 address block is 12 bytes, got " + length);
            }
            InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(body, 0, 4));
            InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(body, 4, 8));
            int sourcePort = ((body[8] & 0xFF) << 8) | (body[9] & 0xFF);
            int destinationPort = ((body[10] & 0xFF) << 8) | (body[11] & 0xFF);
            return new V2Header(new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort));
        }
    }

    /**
     * One HAProxy process: a frontend on 127.0.0.1 and one server, in TCP mode, in the foreground.
     *
     * <p><b>Its port.</b> HAProxy needs its port written in its config, so it cannot be handed
     * port 0 and asked afterwards. The port is chosen by binding a {@link ServerSocket} to
     * 127.0.0.1 port 0, reading the port the kernel gave, and closing it before HAProxy binds.
     * Between that close and HAProxy's bind another process could take the port; that is
     * acceptable here because the window is milliseconds long on a port the kernel just chose
     * out of its ephemeral range, and the race cannot go unnoticed: HAProxy then fails to start
     * ("cannot bind socket") and we retry with a fresh port, up to {@link #ATTEMPTS} times.
     * {@code noreuseport} makes sure HAProxy fails rather than silently sharing a port with
     * another SO_REUSEPORT listener of the same user (such as a ZeroProxy on epoll).
     *
     * <p><b>Ready.</b> HAProxy is ready when its port accepts. The probe connects from
     * 127.0.0.99, which the config rejects at {@code tcp-request connection} — before any
     * PROXY header is read and before any server connection — so the probe leaves no trace at
     * the server behind it.
     */
    static final class HAProxy implements AutoCloseable {
        private static final int ATTEMPTS = 5;
        private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

        static {
            // Should the JVM exit before a test's clean-up (a timeout, System.exit), no HAProxy outlives it.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                    "haproxy-reaper"));
        }

        private final Process process;
        private final InetSocketAddress address;
        private final Path config;
        private final Path log;

        private HAProxy(Process process, InetSocketAddress address, Path config, Path log) {
            this.process = process;
            this.address = address;
            this.config = config;
            this.log = log;
        }

        static HAProxy start(Path haproxy, Path dir, String bindOptions, InetSocketAddress server,
                String serverOptions) throws Exception {
            Files.createDirectories(dir);
            String failures = "";
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                int port = freePort();
                Path config = dir.resolve("haproxy-" + attempt + ".cfg");
                Path log = dir.resolve("haproxy-" + attempt + ".log");
                Files.writeString(config, config(port, bindOptions, server, serverOptions));
                Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                RUNNING.add(process);
                HAProxy started = new HAProxy(process, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        config, log);
                if (started.awaitReady()) {
                    return started;
                }
                started.close();
                String output = Files.readString(log);
                if (!output.contains("cannot bind")) {
                    throw new AssertionError("HAProxy did not start:\n" + started.describe());
                }
                failures += "\nattempt " + attempt + ", port " + port + ": " + output.strip();
            }
            throw new AssertionError("HAProxy could not bind a free port in " + ATTEMPTS + " attempts:" + failures);
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        private static String config(int port, String bindOptions, InetSocketAddress server, String serverOptions) {
            return String.join("\n",
                    "# Written by HAProxyInteropTest. Foreground: run with -db, and no 'daemon' here,",
                    "# so the test's Process handle is HAProxy itself and kills it.",
                    "global",
                    "    maxconn 256",
                    "    nbthread 2",
                    "    noreuseport",
                    "defaults",
                    "    mode tcp",
                    "    timeout connect 5s",
                    "    timeout client 30s",
                    "    timeout server 30s",
                    "frontend fe",
                    "    bind 127.0.0.1:" + port + bindOptions,
                    "    # The readiness probe: refused at accept, before any PROXY header or server connection.",
                    "    tcp-request connection reject if { src " + PROBE_ADDRESS.getHostAddress() + " }",
                    "    default_backend be",
                    "backend be",
                    "    server s " + server.getAddress().getHostAddress() + ":" + server.getPort() + " " + serverOptions,
                    "");
        }

        /** True once the port accepts; false if HAProxy exited first; fails if neither within 10 s. */
        private boolean awaitReady() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    return false;
                }
                try (Socket probe = new Socket()) {
                    probe.bind(new InetSocketAddress(PROBE_ADDRESS, 0));
                    probe.connect(address, 1_000);
                    return true;
                } catch (ConnectException notYet) { // refused: not listening yet
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (SocketException resetByTheRejectRule) {
                    // Accepted, then reset by the rule: HAProxy may refuse the probe before
                    // our connect() has even returned. Listening all the same.
                    return true;
                }
            }
            throw new AssertionError("HAProxy's port did not accept within 10 s:\n" + describe());
        }

        InetSocketAddress address() {
            return address;
        }

        /** The config and what HAProxy printed, for a failure message. */
        String describe() {
            try {
                return "--- " + config + " ---\n" + Files.readString(config)
                        + "--- " + log + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                        + " ---\n" + Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(HAProxy's files unreadable: " + e + ")";
            }
        }

        /** Stops HAProxy by its handle: SIGTERM, then SIGKILL if it lingers. */
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            RUNNING.remove(process);
            assertFalse(process.isAlive(), "HAProxy (pid " + process.pid() + ") stopped");
        }
    }
}
