package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.internal.ProxyServer;
import dev.zeroproxy.testkit.FreePorts;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance test of hot reload (docs/configuration.md, "Reload"): a file reloaded 20 times
 * under load, each reload adding or removing a server, changing a weight, adding a frontend and
 * removing another (and a backend with it), breaks nothing:
 *
 * <ul>
 *   <li>200 long transfers, started before the first reload and ended after the last, each a
 *       random payload (1 to 4 MiB) written at its own steady rate (64 to 192 KiB/s) all through
 *       the reloads and echoed back, compared byte for byte; 40 of them on a frontend the first
 *       reload removes, which drains them;
 *   <li>a new short connection every millisecond to the binds every file keeps (connect, a few
 *       bytes echoed, close): none refused or failed;
 *   <li>the listening channels of the kept binds are the same objects from start to end: no
 *       accept gap. The worst gap between consecutive accepts (and echoes) during the reloads is
 *       measured against the same before them, and logged with the other figures;
 *   <li>three bad files in the middle (a misspelt keyword, a restart-only change, a bind already
 *       taken) change nothing: same generation, same proxies, configurations and sockets, and the
 *       bind one of them opened is closed again.
 * </ul>
 *
 * <p>Loopback only; every loop is bounded in count and time. The backends are plain blocking
 * echo servers ({@link LoopbackServer}), so that a bug in the proxy cannot hide in its peers.
 */
class ReloadUnderLoadTest {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadUnderLoadTest.class);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final int TRANSFERS = 200;
    /** Of the transfers, those on the frontend the first reload removes (the rest split between the kept two). */
    private static final int TRANSFERS_ON_REMOVED = 40;
    /** Each transfer's pace, from the start of the baseline to the end of the reloads: 64 to 192 KiB/s. */
    private static final int MIN_RATE = 64 * 1024;
    private static final int MAX_RATE = 192 * 1024;
    /** Bounds on each transfer's length: it pauses at the maximum (less its tail) and ends at the minimum at least. */
    private static final long MIN_TRANSFER_BYTES = 1 << 20;
    private static final long MAX_TRANSFER_BYTES = 4 << 20;
    /** The last bytes of every transfer, written only once the last reload is done. */
    private static final int TAIL_BYTES = 64 * 1024;
    private static final int MAX_CHUNK = 16 * 1024;
    private static final long PACE_STEP_MILLIS = 20;

    private static final int RELOADS = 20;
    /** The bad files are tried after this many good reloads. */
    private static final int BAD_FILES_AFTER = 10;
    private static final long RELOAD_SPACING_MILLIS = 50;
    private static final long BASELINE_MILLIS = 600;

    private static final long SHORT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SHORT_MAX = 20_000;
    private static final long SHORT_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int SHORT_BYTES = 16;
    private static final int SHORT_WORKERS = 16;

    /** Bounds every wait of the test: the whole run takes about 10 s. */
    private static final long WAIT_SECONDS = 30;

    /** Where the generations bind, and the backends' servers. */
    private InetSocketAddress steadyApp;
    private InetSocketAddress steadyPool;
    private InetSocketAddress blue;
    private InetSocketAddress green;
    private InetSocketAddress late;
    private InetSocketAddress taken;
    private LoopbackServer a1;
    private LoopbackServer a2;
    private LoopbackServer a3;
    private LoopbackServer p1;
    private LoopbackServer p2;
    private final List<LoopbackServer> backends = new ArrayList<>();

    @BeforeEach
    void startBackendsAndPickPorts() throws IOException {
        List<Integer> ports = FreePorts.outsideEphemeralRange(6);
        steadyApp = new InetSocketAddress(LOOPBACK, ports.get(0));
        steadyPool = new InetSocketAddress(LOOPBACK, ports.get(1));
        blue = new InetSocketAddress(LOOPBACK, ports.get(2));
        green = new InetSocketAddress(LOOPBACK, ports.get(3));
        late = new InetSocketAddress(LOOPBACK, ports.get(4));
        taken = new InetSocketAddress(LOOPBACK, ports.get(5));
        a1 = started(LoopbackServer.echo());
        a2 = started(LoopbackServer.echo());
        a3 = started(LoopbackServer.echo());
        p1 = started(LoopbackServer.echo());
        p2 = started(LoopbackServer.echo());
    }

    private LoopbackServer started(LoopbackServer server) {
        backends.add(server);
        return server;
    }

    /** Closes the echo servers; the first whose handler failed fails the test. */
    @AfterEach
    void stopBackends() throws IOException {
        AssertionError first = null;
        for (LoopbackServer server : backends) {
            try {
                server.close();
            } catch (AssertionError e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twentyReloadsUnderLoadBreakNoTransferRefuseNoClientAndKeepTheListeningSockets(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("zeroproxy.cfg");
        Files.writeString(file, fileText(0));
        AcceptClock clock = new AcceptClock();
        Deployment deployment = Deployment.start(ConfigParser.parse(file), clock);
        List<Transfer> transfers = new ArrayList<>();
        ShortConnections shorts = new ShortConnections(List.of(steadyApp, steadyPool));
        try {
            runUnderLoad(file, deployment, clock, transfers, shorts);
        } finally {
            shorts.stop();
            transfers.forEach(Transfer::abort);
            deployment.close();
        }
    }

    private void runUnderLoad(Path file, Deployment deployment, AcceptClock clock, List<Transfer> transfers,
            ShortConnections shorts) throws Exception {
        Map<InetSocketAddress, List<Channel>> keptChannels = new LinkedHashMap<>();
        for (InetSocketAddress steady : List.of(steadyApp, steadyPool)) {
            keptChannels.put(steady, ((ProxyServer) deployment.proxies().get(steady)).serverChannels());
        }

        // 1. The long transfers, all flowing before the first reload, all paced from the same instant.
        Transfer.Phases phases = new Transfer.Phases(TRANSFERS);
        SplittableRandom random = new SplittableRandom();
        for (int i = 0; i < TRANSFERS; i++) {
            InetSocketAddress target = i < TRANSFERS_ON_REMOVED ? blue : i % 2 == 0 ? steadyApp : steadyPool;
            Transfer transfer = new Transfer(i, target, random.nextLong(), random.nextInt(MIN_RATE, MAX_RATE + 1));
            transfers.add(transfer);
            transfer.start(phases);
        }
        assertTrue(phases.flowing.await(WAIT_SECONDS, TimeUnit.SECONDS), "transfers not all flowing");
        assertNoBrokenTransfer(transfers);
        phases.paced.countDown();

        // 2. A short connection every millisecond, to the kept binds, from now until after the last reload.
        shorts.start();
        long baselineStart = System.nanoTime();
        Thread.sleep(BASELINE_MILLIS);

        // 3. The reloads, a generation each; the bad files in the middle.
        List<Long> reloadNanos = new ArrayList<>();
        long[] receivedAtFirstReload = received(transfers);
        long firstReloadStart = System.nanoTime();
        int badFiles = 0;
        long a1Connections = server(deployment, "app", "a1").totalConnections();
        for (int k = 1; k <= RELOADS; k++) {
            Files.writeString(file, fileText(k));
            long started = System.nanoTime();
            ReloadReport report = deployment.reload(ConfigParser.parse(file));
            reloadNanos.add(System.nanoTime() - started);
            a1Connections = checkReload(k, report, deployment, keptChannels, a1Connections);
            if (k == BAD_FILES_AFTER) {
                badFiles = badFilesChangeNothing(file, deployment, keptChannels, k);
            }
            Thread.sleep(RELOAD_SPACING_MILLIS);
        }
        long lastReloadEnd = System.nanoTime();
        long[] receivedAtLastReload = received(transfers);
        phases.reloadsDone.countDown();

        // 4. Everything finishes; nothing broke.
        Thread.sleep(300);
        shorts.stop();
        assertTrue(phases.done.await(WAIT_SECONDS, TimeUnit.SECONDS), "transfers not all done: "
                + transfers.stream().filter(t -> t.endedNanos == 0).count() + " still running");
        assertNoBrokenTransfer(transfers);
        for (Transfer transfer : transfers) {
            assertEquals(transfer.sent, transfer.received.get(), "transfer " + transfer.index + ": bytes echoed");
            assertTrue(transfer.sent >= MIN_TRANSFER_BYTES && transfer.sent <= MAX_TRANSFER_BYTES,
                    "transfer " + transfer.index + ": " + transfer.sent + " bytes");
            assertTrue(receivedAtLastReload[transfer.index] > receivedAtFirstReload[transfer.index],
                    "transfer " + transfer.index + " moved no byte during the reloads");
            assertTrue(transfer.endedNanos - lastReloadEnd > 0, "transfer " + transfer.index
                    + " ended before the last reload");
        }
        List<ShortConnections.Attempt> attempts = shorts.attempts();
        List<ShortConnections.Attempt> failed = attempts.stream().filter(a -> a.failure() != null).toList();
        assertTrue(failed.isEmpty(), failed.size() + " of " + attempts.size() + " short connections failed, e.g. "
                + failed.stream().limit(5).map(a -> String.valueOf(a.failure())).collect(Collectors.joining("; ")));
        assertTrue(attempts.size() > 1000, "only " + attempts.size() + " short connections");
        assertEquals(List.of(), clock.problems(), "what the proxies reported");
        assertEquals(RELOADS + 1, deployment.generation());

        // 5. The figures.
        long transferred = transfers.stream().mapToLong(t -> t.sent).sum();
        List<Long> sortedReloads = reloadNanos.stream().sorted().toList();
        long[] accepts = clock.acceptTimes();
        long[] connects = attempts.stream().mapToLong(ShortConnections.Attempt::connectedNanos).sorted().toArray();
        long[] echoes = attempts.stream().mapToLong(ShortConnections.Attempt::echoedNanos).sorted().toArray();
        long baselineFrom = baselineStart + TimeUnit.MILLISECONDS.toNanos(50);
        LOGGER.info("reload under load: {} transfers, {} MiB echoed, 0 broken; {} short connections, 0 failed;"
                        + " {} reloads ({} bad files refused) in {} s, generation {}; reload (parse + apply) ms"
                        + " min/median/max {}/{}/{}; max connect latency ms {} during the reloads ({} before),"
                        + " max echo round trip ms {} ({});"
                        + " worst gap ms between accepts {} during ({} before), connects {} ({}), echoes {} ({})",
                TRANSFERS, transferred >> 20, attempts.size(), RELOADS, badFiles,
                String.format(Locale.ROOT, "%.1f", (lastReloadEnd - firstReloadStart) / 1e9), deployment.generation(),
                millis(sortedReloads.get(0)), millis(sortedReloads.get(sortedReloads.size() / 2)),
                millis(sortedReloads.get(sortedReloads.size() - 1)),
                millis(shorts.maxConnectLatency(firstReloadStart, lastReloadEnd)),
                millis(shorts.maxConnectLatency(baselineFrom, firstReloadStart)),
                millis(shorts.maxEchoLatency(firstReloadStart, lastReloadEnd)),
                millis(shorts.maxEchoLatency(baselineFrom, firstReloadStart)),
                millis(worstGap(accepts, firstReloadStart, lastReloadEnd)),
                millis(worstGap(accepts, baselineFrom, firstReloadStart)),
                millis(worstGap(connects, firstReloadStart, lastReloadEnd)),
                millis(worstGap(connects, baselineFrom, firstReloadStart)),
                millis(worstGap(echoes, firstReloadStart, lastReloadEnd)),
                millis(worstGap(echoes, baselineFrom, firstReloadStart)));
    }

    /**
     * The file of generation {@code k + 1}, which reload {@code k} applies (0: the start). Two
     * frontends in every file; {@code blue} in even ones, {@code green} (over a backend of its
     * own, {@code spare}) in odd ones; server {@code a3} in odd ones; {@code a1}'s weight changes
     * every time.
     */
    private String fileText(int k) {
        boolean odd = k % 2 == 1;
        StringBuilder text = new StringBuilder()
                .append("# generation ").append(k + 1).append('\n')
                .append("global\n    nbthread 2\n    maxconn 10000\n    hard-stop-after 30s\n\n")
                .append("defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 1m\n")
                .append("    timeout server 1m\n    retries 3\n\n")
                .append(frontend("steady_app", steadyApp, "app"))
                .append(frontend("steady_pool", steadyPool, "pool"))
                .append(odd ? frontend("green", green, "spare") : frontend("blue", blue, "app"))
                .append("backend app\n    balance roundrobin\n")
                .append("    server a1 ").append(hostPort(a1.address())).append(" weight ").append(a1Weight(k))
                .append('\n')
                .append("    server a2 ").append(hostPort(a2.address())).append('\n');
        if (odd) {
            text.append("    server a3 ").append(hostPort(a3.address())).append(" weight 2\n");
        }
        text.append("\nbackend pool\n    balance leastconn\n")
                .append("    server p1 ").append(hostPort(p1.address())).append('\n')
                .append("    server p2 ").append(hostPort(p2.address())).append('\n');
        if (odd) {
            text.append("\nbackend spare\n    server s1 ").append(hostPort(p1.address())).append('\n');
        }
        return text.toString();
    }

    private static String frontend(String name, InetSocketAddress bind, String backend) {
        return "frontend " + name + "\n    bind " + hostPort(bind) + "\n    default_backend " + backend + "\n\n";
    }

    private static int a1Weight(int k) {
        return 1 + k % 7;
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** What reload {@code k} must have done; returns a1's connection count now. */
    private long checkReload(int k, ReloadReport report, Deployment deployment,
            Map<InetSocketAddress, List<Channel>> keptChannels, long a1ConnectionsBefore) throws IOException {
        boolean odd = k % 2 == 1;
        InetSocketAddress opened = odd ? green : blue;
        InetSocketAddress closed = odd ? blue : green;
        assertEquals(k + 1, report.generation(), report.summary());
        assertEquals(k + 1, deployment.generation());
        assertEquals(List.of(opened), report.openedBinds(), report.summary());
        assertEquals(List.of(closed), report.closedBinds(), report.summary());
        assertEquals(List.of(steadyApp, steadyPool), report.keptBinds(), report.summary());
        assertEquals(odd ? List.of("spare") : List.of(), report.addedBackends(), report.summary());
        assertEquals(odd ? List.of() : List.of("spare"), report.removedBackends(), report.summary());
        assertKeptSockets(deployment, keptChannels, "after reload " + k);
        assertThrows(ConnectException.class, () -> roundTrip(closed),
                "reload " + k + " removed " + closed + ": it must refuse new clients once reload() returns");
        roundTrip(opened);

        Map<String, UpstreamGroup> backends = deployment.backends();
        List<String> appServers = backends.get("app").servers().stream().map(ServerSnapshot::name).toList();
        assertEquals(odd ? List.of("a1", "a2", "a3") : List.of("a1", "a2"), appServers, "reload " + k);
        ServerSnapshot a1Now = server(deployment, "app", "a1");
        assertEquals(a1Weight(k), a1Now.weight(), "a1's weight after reload " + k);
        assertTrue(a1Now.totalConnections() >= a1ConnectionsBefore,
                "a1 kept its counters: " + a1Now.totalConnections() + " < " + a1ConnectionsBefore);
        return a1Now.totalConnections();
    }

    /**
     * Three files that must change nothing, tried after reload {@code k}: a misspelt keyword
     * (refused by the parser, as SIGHUP reads it), {@code nbthread} changed (refused by the
     * reload: restart only), and a new bind on an address another socket listens on (refused at
     * the bind, after two other binds were opened, which must be closed again).
     */
    private int badFilesChangeNothing(Path file, Deployment deployment,
            Map<InetSocketAddress, List<Channel>> keptChannels, int k) throws IOException {
        String good = fileText(k);
        Running before = Running.of(deployment);

        String misspelt = good.replace("balance roundrobin", "ballance roundrobin");
        Files.writeString(file, misspelt);
        ConfigException parse = assertThrows(ConfigException.class,
                () -> deployment.reload(ConfigParser.parse(file)));
        assertEquals(1, parse.errors().size(), parse.errors().toString());
        assertEquals(position(file, misspelt, "ballance", 0), parse.errors().get(0).where());
        assertEquals("balance", parse.errors().get(0).suggestion());
        before.assertUnchanged(deployment, "after a misspelt keyword");

        String moreThreads = good.replace("nbthread 2", "nbthread 3");
        Files.writeString(file, moreThreads);
        ConfigException restart = assertThrows(ConfigException.class,
                () -> deployment.reload(ConfigParser.parse(file)));
        assertEquals(position(file, moreThreads, "nbthread 3", "nbthread ".length()),
                restart.errors().get(0).where(), restart.errors().toString());
        before.assertUnchanged(deployment, "after nbthread changed");

        // The next generation's file (its own new bind opens first), a new bind on a free
        // address, then one on an address this test listens on.
        String takenBind = fileText(k + 1) + frontend("late", late, "pool") + frontend("taken", taken, "pool");
        Files.writeString(file, takenBind);
        try (ServerSocket holder = new ServerSocket(taken.getPort(), 50, LOOPBACK)) {
            ConfigException bind = assertThrows(ConfigException.class,
                    () -> deployment.reload(ConfigParser.parse(file)));
            ConfigError error = bind.errors().get(0);
            assertEquals(position(file, takenBind, "bind " + hostPort(taken), "bind ".length()), error.where(),
                    error.toString());
            assertTrue(error.problem().contains("cannot listen on"), error.toString());
        }
        before.assertUnchanged(deployment, "after a bind that failed");
        InetSocketAddress nextSide = (k + 1) % 2 == 1 ? green : blue;
        assertThrows(ConnectException.class, () -> roundTrip(late), "the bind opened by the failed reload");
        assertThrows(ConnectException.class, () -> roundTrip(nextSide), "the bind opened by the failed reload");
        assertKeptSockets(deployment, keptChannels, "after the bad files");
        roundTrip(k % 2 == 1 ? green : blue); // the current side frontend serves on
        Files.writeString(file, good);
        return 3;
    }

    /** What a bad file must not change. */
    private record Running(long generation, ProxyFile file, Map<InetSocketAddress, Proxy> proxies,
            Map<InetSocketAddress, ProxyConfig> configs, Map<InetSocketAddress, List<Channel>> channels,
            Map<String, UpstreamGroup> backends, Map<String, List<String>> servers) {
        static Running of(Deployment deployment) {
            Map<InetSocketAddress, ProxyConfig> configs = new LinkedHashMap<>();
            Map<InetSocketAddress, List<Channel>> channels = new LinkedHashMap<>();
            deployment.proxies().forEach((address, proxy) -> {
                configs.put(address, proxy.config());
                channels.put(address, ((ProxyServer) proxy).serverChannels());
            });
            Map<String, List<String>> servers = new LinkedHashMap<>();
            deployment.backends().forEach((name, group) -> servers.put(name, group.servers().stream()
                    .map(s -> s.name() + " " + s.address() + " weight " + s.weight()).toList()));
            return new Running(deployment.generation(), deployment.file(), deployment.proxies(), configs, channels,
                    deployment.backends(), servers);
        }

        void assertUnchanged(Deployment deployment, String when) {
            Running now = of(deployment);
            assertEquals(generation, now.generation, when);
            assertSame(file, now.file, when);
            assertEquals(proxies.keySet(), now.proxies.keySet(), when);
            proxies.forEach((address, proxy) -> {
                assertSame(proxy, now.proxies.get(address), when + ": the proxy on " + address);
                assertSame(configs.get(address), now.configs.get(address), when + ": the configuration on " + address);
                assertArrayEquals(channels.get(address).toArray(), now.channels.get(address).toArray(),
                        when + ": the listening channels of " + address);
            });
            assertEquals(backends.keySet(), now.backends.keySet(), when);
            backends.forEach((name, group) -> assertSame(group, now.backends.get(name), when + ": backend " + name));
            assertEquals(servers, now.servers, when);
        }
    }

    /** The kept binds' proxies listen on the very channels they listened on at the start, all still open. */
    private static void assertKeptSockets(Deployment deployment, Map<InetSocketAddress, List<Channel>> kept,
            String when) {
        kept.forEach((address, channels) -> {
            List<Channel> now = ((ProxyServer) deployment.proxies().get(address)).serverChannels();
            assertEquals(channels.size(), now.size(), when + ": listening channels of " + address);
            for (int i = 0; i < channels.size(); i++) {
                assertSame(channels.get(i), now.get(i), when + ": listening channel " + i + " of " + address);
                assertTrue(now.get(i).isActive(), when + ": listening channel " + i + " of " + address + " closed");
            }
        });
    }

    private static ServerSnapshot server(Deployment deployment, String backend, String name) {
        return deployment.backends().get(backend).servers().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no server " + name + " in backend " + backend));
    }

    /** One short exchange through {@code address}: a few bytes, echoed. */
    private static void roundTrip(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(5_000);
            byte[] sent = new byte[SHORT_BYTES];
            new SplittableRandom().nextBytes(sent);
            socket.getOutputStream().write(sent);
            assertArrayEquals(sent, socket.getInputStream().readNBytes(sent.length), "echo through " + address);
        }
    }

    /** Where {@code offset} characters into the first {@code fragment} of {@code text} is, in {@code file}. */
    private static SourcePosition position(Path file, String text, String fragment, int offset) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int column = lines[i].indexOf(fragment);
            if (column >= 0) {
                return new SourcePosition(file.toString(), i + 1, column + offset + 1);
            }
        }
        throw new AssertionError("no line with " + fragment);
    }

    private static long[] received(List<Transfer> transfers) {
        return transfers.stream().mapToLong(t -> t.received.get()).toArray();
    }

    private static void assertNoBrokenTransfer(List<Transfer> transfers) {
        List<String> broken = transfers.stream().filter(t -> t.failure != null)
                .map(t -> "transfer " + t.index + " via " + t.target + ": " + t.failure).toList();
        assertTrue(broken.isEmpty(), broken.size() + " broken transfer(s): " + broken.stream().limit(5).toList());
    }

    /** The longest time between two consecutive instants of {@code sorted} within [from, to]. */
    private static long worstGap(long[] sorted, long from, long to) {
        long worst = 0;
        long previous = from;
        for (long t : sorted) {
            if (t - from < 0) {
                continue;
            }
            if (t - to > 0) {
                break;
            }
            worst = Math.max(worst, t - previous);
            previous = t;
        }
        return Math.max(worst, to - previous);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /**
     * Hears every proxy of the deployment: the instant of each accept, and anything abnormal (a
     * connection that ended with a cause, a failed upstream connect, a refusal). Called on the
     * event loops: it only stores.
     */
    private static final class AcceptClock implements ProxyListener {
        private final AtomicLongArray accepts = new AtomicLongArray(100_000);
        private final AtomicInteger acceptCount = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

        @Override
        public void connectionOpened(ConnectionInfo connection) {
            int i = acceptCount.getAndIncrement();
            if (i < accepts.length()) {
                accepts.set(i, System.nanoTime());
            }
        }

        @Override
        public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
            problems.add("upstream connect failed: " + connection + ": " + cause);
        }

        @Override
        public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
            problems.add("upstream attempt failed: " + connection + ": " + cause);
        }

        @Override
        public void connectionRefused(ConnectionRefusal refusal) {
            problems.add("refused: " + refusal);
        }

        @Override
        public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
            if (summary.cause() != null) {
                problems.add("closed abnormally: " + connection + ": " + summary.cause());
            }
        }

        List<String> problems() {
            return problems.stream().limit(10).toList();
        }

        long[] acceptTimes() {
            int n = Math.min(acceptCount.get(), accepts.length());
            long[] times = new long[n];
            for (int i = 0; i < n; i++) {
                times[i] = accepts.get(i);
            }
            Arrays.sort(times);
            return times;
        }
    }

    /**
     * One long transfer: a writer sends a seeded payload in random chunks, a first one at once,
     * then at its own steady rate from {@link Phases#paced} until {@link Phases#reloadsDone} (pausing
     * at {@link #MAX_TRANSFER_BYTES} less the tail, should the reloads take that long), then a tail
     * (enough to reach {@link #MIN_TRANSFER_BYTES}), then half-closes; a reader compares the echo byte
     * for byte up to the echo's EOF.
     */
    private static final class Transfer {
        /** What the transfers wait for, and what they count down. */
        record Phases(CountDownLatch flowing, CountDownLatch paced, CountDownLatch reloadsDone, CountDownLatch done) {
            Phases(int transfers) {
                this(new CountDownLatch(transfers), new CountDownLatch(1), new CountDownLatch(1),
                        new CountDownLatch(2 * transfers));
            }
        }

        final int index;
        final InetSocketAddress target;
        final long seed;
        final int bytesPerSecond;
        final AtomicLong received = new AtomicLong();
        final Socket socket = new Socket();
        /** What the writer sent in all, once it is done. */
        volatile long sent;
        volatile long endedNanos;
        volatile Throwable failure;

        Transfer(int index, InetSocketAddress target, long seed, int bytesPerSecond) {
            this.index = index;
            this.target = target;
            this.seed = seed;
            this.bytesPerSecond = bytesPerSecond;
        }

        void start(Phases phases) throws IOException {
            socket.connect(target, 5_000);
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            Thread writer = new Thread(() -> write(phases), "transfer-writer-" + index);
            Thread reader = new Thread(() -> read(phases), "transfer-reader-" + index);
            writer.setDaemon(true);
            reader.setDaemon(true);
            writer.start();
            reader.start();
        }

        private void write(Phases phases) {
            try {
                OutputStream out = socket.getOutputStream();
                Payload.ByteSource bytes = new Payload.ByteSource(seed);
                SplittableRandom chunks = new SplittableRandom(~seed);
                byte[] buf = new byte[MAX_CHUNK];
                long written = write(out, bytes, chunks, buf, 1 + chunks.nextInt(MAX_CHUNK));
                await(phases.paced);
                long start = System.nanoTime();
                long pausedAt = MAX_TRANSFER_BYTES - TAIL_BYTES;
                while (phases.reloadsDone.getCount() > 0 && written < pausedAt) {
                    long due = Math.min(pausedAt, bytesPerSecond * (System.nanoTime() - start) / 1_000_000_000L);
                    if (written >= due) {
                        Thread.sleep(PACE_STEP_MILLIS);
                        continue;
                    }
                    int n = (int) Math.min(due - written, 1 + chunks.nextInt(MAX_CHUNK));
                    written += write(out, bytes, chunks, buf, n);
                }
                await(phases.reloadsDone);
                long tail = Math.max(TAIL_BYTES, MIN_TRANSFER_BYTES - written);
                while (tail > 0) {
                    int n = (int) Math.min(tail, 1 + chunks.nextInt(MAX_CHUNK));
                    written += write(out, bytes, chunks, buf, n);
                    tail -= n;
                }
                sent = written;
                socket.shutdownOutput();
            } catch (Throwable t) {
                fail(t);
            } finally {
                phases.done.countDown();
            }
        }

        private static int write(OutputStream out, Payload.ByteSource bytes, SplittableRandom chunks, byte[] buf, int n)
                throws IOException {
            bytes.fill(buf, n);
            out.write(buf, 0, n);
            return n;
        }

        private static void await(CountDownLatch latch) throws InterruptedException {
            if (!latch.await(WAIT_SECONDS * 2, TimeUnit.SECONDS)) {
                throw new AssertionError("the test did not go on");
            }
        }

        private void read(Phases phases) {
            boolean counted = false;
            try {
                InputStream in = socket.getInputStream();
                Payload.ByteSource expected = new Payload.ByteSource(seed);
                byte[] buf = new byte[64 * 1024];
                byte[] want = new byte[buf.length];
                long got = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    expected.fill(want, n);
                    int at = Arrays.mismatch(buf, 0, n, want, 0, n);
                    if (at >= 0) {
                        throw new AssertionError("byte " + (got + at) + " differs");
                    }
                    got += n;
                    received.set(got);
                    if (!counted) {
                        phases.flowing.countDown();
                        counted = true;
                    }
                }
                endedNanos = System.nanoTime();
            } catch (Throwable t) {
                fail(t);
            } finally {
                if (!counted) {
                    phases.flowing.countDown();
                }
                abort(); // after the echo's EOF: the writer is done too
                phases.done.countDown();
            }
        }

        private void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            }
            abort();
        }

        void abort() {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
    }

    /**
     * A new connection every millisecond, round robin over the targets, each on a small pool:
     * connect, {@link #SHORT_BYTES} random bytes echoed, close. Bounded by {@link #SHORT_MAX}
     * connections and {@link #SHORT_MAX_NANOS}.
     */
    private static final class ShortConnections {
        /** One connection: when it started, connected and had its echo (nanoTime), or why it failed. */
        record Attempt(long startNanos, long connectedNanos, long echoedNanos, Throwable failure) { }

        private final List<InetSocketAddress> targets;
        private final ExecutorService workers = Executors.newFixedThreadPool(SHORT_WORKERS, runnable -> {
            Thread thread = new Thread(runnable, "short-connections");
            thread.setDaemon(true);
            return thread;
        });
        private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        private final Thread launcher = new Thread(this::launch, "short-connections-launcher");
        private volatile boolean stopped;

        ShortConnections(List<InetSocketAddress> targets) {
            this.targets = targets;
            launcher.setDaemon(true);
        }

        void start() {
            launcher.start();
        }

        private void launch() {
            long next = System.nanoTime();
            long deadline = next + SHORT_MAX_NANOS;
            for (int i = 0; i < SHORT_MAX && !stopped && System.nanoTime() - deadline < 0; i++) {
                next += SHORT_INTERVAL_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                InetSocketAddress target = targets.get(i % targets.size());
                workers.execute(() -> attempts.add(attempt(target)));
            }
        }

        private static Attempt attempt(InetSocketAddress target) {
            long start = System.nanoTime();
            long connected = 0;
            try (Socket socket = new Socket()) {
                socket.connect(target, 5_000);
                connected = System.nanoTime();
                socket.setSoTimeout(5_000);
                byte[] sent = new byte[SHORT_BYTES];
                new SplittableRandom().nextBytes(sent);
                socket.getOutputStream().write(sent);
                byte[] got = socket.getInputStream().readNBytes(sent.length);
                if (!Arrays.equals(sent, got)) {
                    throw new AssertionError("echo through " + target + " differs: " + got.length + " bytes");
                }
                return new Attempt(start, connected, System.nanoTime(), null);
            } catch (Throwable t) {
                return new Attempt(start, connected, 0, new AssertionError(target + " after "
                        + millis(System.nanoTime() - start) + " ms: " + t, t));
            }
        }

        /** Stops launching, and waits for the connections launched to end (each bounded by its timeouts). */
        void stop() throws InterruptedException {
            stopped = true;
            launcher.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            workers.shutdown();
            if (!workers.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                throw new AssertionError("short connections still running after " + WAIT_SECONDS + " s");
            }
        }

        List<Attempt> attempts() {
            return List.copyOf(attempts);
        }

        /** The longest connect of those started within [from, to]. */
        long maxConnectLatency(long from, long to) {
            return within(from, to).mapToLong(a -> a.connectedNanos() - a.startNanos()).max().orElse(0);
        }

        /** The longest wait for the echo, from the connect, of those started within [from, to]. */
        long maxEchoLatency(long from, long to) {
            return within(from, to).mapToLong(a -> a.echoedNanos() - a.connectedNanos()).max().orElse(0);
        }

        private Stream<Attempt> within(long from, long to) {
            return attempts.stream().filter(a -> a.failure() == null && a.startNanos() - from >= 0
                    && a.startNanos() - to <= 0);
        }
    }
}
