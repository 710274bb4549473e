package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.PassiveEjection;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.ServerStateChange;
import dev.zeroproxy.upstream.UpstreamGroup;
import dev.zeroproxy.upstream.UpstreamUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream groups through a real proxy, written once and run for every transport × forwarding
 * mode like {@link RelaySuite}: balancing, failover with checks and retries, a flapping server,
 * runtime changes under load, the wait queue, backups, the proxy-wide connection limit, and the
 * checks' end at {@code close()}. The servers are {@link TaggedServer}s: each answers with its
 * tag, so a client knows which one it reached, then echoes; payloads are random and checked
 * byte for byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class UpstreamGroupSuite {
    private static final Logger LOGGER = LoggerFactory.getLogger(UpstreamGroupSuite.class);
    /** Concurrent transfers in the load tests. */
    private static final int CONCURRENT = 200;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    /** Clients, closed first after each test; then the proxy must hold nothing; then the servers. */
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<TaggedServer> servers = new ArrayList<>();
    private Proxy proxy;
    /** Every event the proxy reported. */
    protected RecordingListener events;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    @BeforeEach
    void requireTransport() {
        TransportAssumptions.assumeAvailable(transport());
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            for (AutoCloseable client : clients) {
                client.close();
            }
            if (proxy != null) {
                Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                        Duration.ofSeconds(10), () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            for (TaggedServer server : servers) {
                server.close();
            }
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private Proxy startProxy(UpstreamGroup group, Consumer<ProxyBuilder> settings) {
        events = new RecordingListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(group)
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .connectTimeout(Duration.ofSeconds(2))
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(builder);
        proxy = builder.start();
        return proxy;
    }

    private List<TaggedServer> servers(int count) throws IOException {
        List<TaggedServer> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            started.add(TaggedServer.start('a' + i));
            servers.add(started.get(i));
        }
        return started;
    }

    private static UpstreamGroup.Builder groupOf(List<TaggedServer> servers) {
        UpstreamGroup.Builder group = UpstreamGroup.builder("test");
        for (TaggedServer server : servers) {
            group.server(String.valueOf((char) server.tag()), server.address());
        }
        return group;
    }

    private <T extends AutoCloseable> T closeLater(T client) {
        clients.add(client);
        return client;
    }

    /** A client connected through the proxy, from {@code source} (127.0.0.x), that has read its server's tag. */
    private Held connect(InetAddress source) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        if (source != null) {
            socket.bind(new InetSocketAddress(source, 0));
        }
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        int tag = socket.getInputStream().read();
        return closeLater(new Held(socket, tag));
    }

    private Held connect() throws IOException {
        return connect(null);
    }

    /** An open connection and the tag of the server it reached (-1: closed or reset before one came). */
    private record Held(Socket socket, int tag) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * One transfer: connects, sends {@code bytes} random bytes at once (before its server can
     * have answered, so that they wait in the proxy while it connects), reads the tag and the
     * echo back, compares them byte for byte, half-closes and expects a clean end. Returns the tag.
     */
    private int transfer(long seed, int bytes) throws IOException {
        byte[] sent = Payload.bytes(seed, bytes);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(proxy.localAddress(), 5_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.getOutputStream().write(sent);
            InputStream in = socket.getInputStream();
            int tag = in.read();
            if (tag < 0) {
                throw new IOException("closed before any server answered");
            }
            byte[] back = in.readNBytes(bytes);
            assertArrayEquals(sent, back, "echoed byte for byte through server " + (char) tag);
            socket.shutdownOutput();
            assertEquals(-1, in.read(), "a clean end after the echo");
            return tag;
        }
    }

    /** Runs {@code count} transfers at once; returns how many failed (each failure's cause is printed). */
    private static int concurrently(int count, Callable<Integer> transfer) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                results.add(pool.submit(transfer));
            }
            int failed = 0;
            for (Future<Integer> result : results) {
                try {
                    result.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    failed++;
                    LOGGER.info("transfer failed: {}", e.toString());
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<Integer, Integer> countByTag(List<Integer> tags) {
        Map<Integer, Integer> counts = new HashMap<>();
        tags.forEach(tag -> counts.merge(tag, 1, Integer::sum));
        return counts;
    }

    // ---- balancing ----

    @Test
    void weightedRoundRobinIsExactOverAThousandConnections() throws Exception {
        List<TaggedServer> s = servers(3);
        UpstreamGroup group = UpstreamGroup.builder("wrr")
                .server(ServerSpec.of("a", s.get(0).address()).weight(5))
                .server(ServerSpec.of("b", s.get(1).address()).weight(3))
                .server(ServerSpec.of("c", s.get(2).address()).weight(2))
                .build();
        startProxy(group, b -> { });
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            try (Held held = connect()) {
                tags.add(held.tag());
            }
        }
        assertEquals(Map.of((int) 'a', 500, (int) 'b', 300, (int) 'c', 200), countByTag(tags));
    }

    @Test
    void leastConnectionsKeepsActiveCountsWithinOneOfEachOther() throws Exception {
        List<TaggedServer> s = servers(3);
        startProxy(groupOf(s).balance(Balance.LEAST_CONNECTIONS).build(), b -> { });
        for (int i = 0; i < 30; i++) {
            connect();
            int min = s.stream().mapToInt(TaggedServer::open).min().orElseThrow();
            int max = s.stream().mapToInt(TaggedServer::open).max().orElseThrow();
            assertTrue(max - min <= 1, "after " + (i + 1) + " long-lived connections, open per server "
                    + s.stream().map(TaggedServer::open).toList());
        }
    }

    @Test
    void twoChoicesNeverPicksTheBusiestOfThree() throws Exception {
        List<TaggedServer> s = servers(3);
        UpstreamGroup group = UpstreamGroup.builder("p2c").server("c", s.get(2).address())
                .balance(Balance.RANDOM_TWO_CHOICES).build();
        startProxy(group, b -> { });
        for (int i = 0; i < 8; i++) {
            assertEquals('c', connect().tag());
        }
        group.addServer(ServerSpec.of("a", s.get(0).address()));
        group.addServer(ServerSpec.of("b", s.get(1).address()));
        for (int i = 0; i < 6; i++) {
            // c holds 8, a and b at most 6 between them: c is the busiest of the three throughout.
            assertNotEquals('c', connect().tag(), "connection " + i + " went to the busiest server");
        }
    }

    @Test
    void sourceHashingIsStickyAndRemovingAServerMovesOnlyItsClients() throws Exception {
        List<TaggedServer> s = servers(5);
        UpstreamGroup group = groupOf(s).balance(Balance.SOURCE_HASH).build();
        startProxy(group, b -> { });
        Map<Integer, Integer> before = new HashMap<>();
        for (int host = 1; host <= 60; host++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host});
            int first;
            try (Held held = connect(source)) {
                first = held.tag();
            }
            try (Held again = connect(source)) {
                assertEquals(first, again.tag(), "127.0.0." + host + " sticks to its server");
            }
            before.put(host, first);
        }
        assertTrue(countByTag(new ArrayList<>(before.values())).size() >= 4, "60 clients spread: " + before);
        group.removeServer("c");
        int moved = 0;
        for (int host = 1; host <= 60; host++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host});
            try (Held held = connect(source)) {
                if (before.get(host) == 'c') {
                    assertNotEquals('c', held.tag());
                    moved++;
                } else {
                    assertEquals(before.get(host), held.tag(), "127.0.0." + host + " was not on c: it stays");
                }
            }
        }
        assertEquals(before.values().stream().filter(tag -> tag == 'c').count(), moved);
    }

    // ---- health, failover, retries ----

    @Test
    void aStoppedServerIsMarkedDownWithinFallIntervalsAndRetriesLoseNoClient() throws Exception {
        List<TaggedServer> s = servers(3);
        Duration interval = Duration.ofMillis(100);
        UpstreamGroup group = groupOf(s)
                .healthCheck(HealthCheck.builder().interval(interval).timeout(Duration.ofMillis(80)).fall(2).rise(2)
                        .build())
                .passiveEjection(PassiveEjection.disabled())
                .build();
        startProxy(group, b -> { });
        assertEquals(0, concurrently(20, () -> transfer(1, 4096)));

        java.util.concurrent.atomic.AtomicLong stoppedAt = new java.util.concurrent.atomic.AtomicLong();
        ExecutorService stopper = Executors.newSingleThreadExecutor();
        try {
            stopper.submit(() -> {
                TimeUnit.MILLISECONDS.sleep(50);
                stoppedAt.set(System.nanoTime());
                s.get(1).stopListening();
                return null;
            });
            // 200 clients at once while b stops: a refused connect is retried on another server.
            int failed = concurrently(CONCURRENT, () -> transfer(2, 16 * 1024));
            assertOnlyTheServerItselfCutTransfers(failed, s.get(1));
        } finally {
            stopper.shutdown();
            assertTrue(stopper.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(stoppedAt.get() != 0, "b was stopped");
        Await.until(() -> state(group, "b") == ServerState.DOWN, Duration.ofSeconds(5),
                () -> "b is marked down: " + group.servers());
        ServerStateChange down = events.stateChanges().stream()
                .filter(c -> c.server().equals("b") && c.to() == ServerState.DOWN).findFirst()
                .orElseThrow(() -> new AssertionError("the listener heard b go down: " + events.stateChanges()));
        // fall × interval (200 ms), plus jitter (10 %), a check's timeout, and a loaded machine's delays.
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(events.heardAtNanos(down) - stoppedAt.get());
        assertTrue(tookMillis <= 2 * interval.toMillis() + 1_000, "marked down " + tookMillis + " ms after the stop");
        LOGGER.info("{}: b marked down {} ms after it stopped listening (fall 2 × interval 100 ms)",
                getClass().getSimpleName(), tookMillis);
        int acceptedByB = s.get(1).accepted();
        for (int i = 0; i < 30; i++) {
            assertNotEquals('b', transfer(3 + i, 1024));
        }
        assertEquals(acceptedByB, s.get(1).accepted());

        s.get(1).startListening();
        Await.until(() -> state(group, "b") == ServerState.UP, Duration.ofSeconds(5),
                () -> "b is up again: " + group.servers());
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tags.add(transfer(40 + i, 1024));
        }
        assertTrue(tags.contains((int) 'b'), "b serves again: " + tags);
    }

    @Test
    void aRefusingServerWithRetriesServesEveryClientAndItsEarlyBytesExactlyOnce() throws Exception {
        List<TaggedServer> s = servers(2);
        s.get(0).stopListening();
        UpstreamGroup group = groupOf(s).passiveEjection(PassiveEjection.disabled()).build();
        startProxy(group, b -> { });
        int clients = 50;
        int bytes = 8 * 1024;
        assertEquals(0, concurrently(clients, () -> transfer(5, bytes)));
        // Round robin sends every other first attempt to the refusing server; each is retried on b.
        assertEquals(0, s.get(0).accepted());
        assertEquals((long) clients * bytes, s.get(1).received(), "each client's bytes reached b exactly once");
        long attemptFailures = events.of("attemptFailed").size();
        assertTrue(attemptFailures >= clients / 2 - 1 && attemptFailures <= clients,
                "retried attempts heard: " + attemptFailures);
        assertTrue(events.of("attemptFailed").stream().allMatch(e -> s.get(0).address().equals(e.connection().upstream())),
                "each failed attempt names the refusing server");
        assertEquals(0, events.of("connectFailed").size(), "no connection failed in the end");
    }

    @Test
    void aFlappingServerBreaksNoTransferTheRetriesCanSave() throws Exception {
        List<TaggedServer> s = servers(2);
        UpstreamGroup group = groupOf(s).passiveEjection(PassiveEjection.disabled()).build();
        startProxy(group, b -> { });
        AtomicBoolean flapping = new AtomicBoolean(true);
        Thread flapper = new Thread(() -> {
            try {
                for (int i = 0; i < 200 && flapping.get(); i++) {
                    TimeUnit.MILLISECONDS.sleep(100);
                    if (i % 2 == 0) {
                        s.get(0).stopListening();
                    } else {
                        s.get(0).startListening();
                    }
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "flapper");
        flapper.start();
        try {
            // Every transfer has a steady server to retry on: the retry budget saves each one.
            int failed = 0;
            for (int round = 0; round < 5; round++) {
                failed += concurrently(40, () -> transfer(6, 4096));
            }
            assertOnlyTheServerItselfCutTransfers(failed, s.get(0));
            assertTrue(events.of("attemptFailed").size() > 0, "the flapping server refused some attempts");
        } finally {
            flapping.set(false);
            flapper.join(5_000);
            s.get(0).startListening();
        }
    }

    // ---- runtime changes ----

    @Test
    void drainRemoveAndAddUnderLoadBreakNoTransfer() throws Exception {
        List<TaggedServer> s = servers(4);
        UpstreamGroup group = groupOf(s.subList(0, 3)).build();
        startProxy(group, b -> { });
        ExecutorService operator = Executors.newSingleThreadExecutor();
        try {
            Future<?> changes = operator.submit(() -> {
                TimeUnit.MILLISECONDS.sleep(30);
                group.drain("a", Duration.ZERO);
                TimeUnit.MILLISECONDS.sleep(30);
                group.removeServer("b");
                TimeUnit.MILLISECONDS.sleep(30);
                group.addServer(ServerSpec.of("d", s.get(3).address()));
                return null;
            });
            assertEquals(0, concurrently(CONCURRENT, () -> transfer(7, 64 * 1024)));
            changes.get(10, TimeUnit.SECONDS);
        } finally {
            operator.shutdownNow();
        }
        int acceptedByA = s.get(0).accepted();
        int acceptedByB = s.get(1).accepted();
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tags.add(transfer(8 + i, 1024));
        }
        assertEquals(Map.of((int) 'c', 10, (int) 'd', 10), countByTag(tags), "only c and d take connections");
        assertEquals(acceptedByA, s.get(0).accepted(), "a drained: no new connection");
        assertEquals(acceptedByB, s.get(1).accepted(), "b removed: no new connection");
        assertEquals(ServerState.DRAINING, state(group, "a"));
        assertTrue(group.servers().stream().noneMatch(server -> server.name().equals("b")));
    }

    @Test
    void aDrainDeadlineAndAServerMarkedDownCutTheirConnectionsWithAReset() throws Exception {
        List<TaggedServer> s = servers(2);
        UpstreamGroup group = groupOf(s)
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(80))
                        .fall(2).build())
                .closeConnectionsOnDown(true)
                .build();
        startProxy(group, b -> { });
        Held first = connect();
        Held second = connect();
        Held onA = first.tag() == 'a' ? first : second;
        Held onB = first.tag() == 'a' ? second : first;
        assertEquals('b', onB.tag());

        long drained = System.nanoTime();
        group.drain("a", Duration.ofMillis(300));
        assertEquals(-1, readUntilCut(onA), "a's connection is cut at the drain deadline");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drained) >= 250, "not before the deadline");

        s.get(1).stopListening();
        assertEquals(-1, readUntilCut(onB), "b's connection is cut once b is marked down");
        assertEquals(ServerState.DOWN, state(group, "b"));
        Await.until(() -> events.of("closed").size() == 2, PATIENCE, () -> "both cuts heard");
        for (RecordingListener.Event closed : events.of("closed")) {
            assertTrue(closed.cause() instanceof dev.zeroproxy.ProxyClosedConnectionException cut
                    && cut.reason() == dev.zeroproxy.ProxyClosedConnectionException.Reason.SERVER_OUT_OF_SERVICE,
                    "cut by the group: " + closed.cause());
        }
        s.get(1).startListening();
    }

    /** Reads until the connection ends: -1 for a reset, else the count of bytes before a clean EOF. */
    private static int readUntilCut(Held held) throws IOException {
        int bytes = 0;
        try {
            while (held.socket().getInputStream().read() >= 0) {
                bytes++;
            }
            return bytes;
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }

    @Test
    void aServerAtItsLimitQueuesTheNextClientUntilASlotFreesOrTheQueueTimesOut() throws Exception {
        List<TaggedServer> s = servers(1);
        UpstreamGroup group = UpstreamGroup.builder("limited")
                .server(ServerSpec.of("a", s.get(0).address()).maxConnections(2))
                .queueTimeout(Duration.ofMillis(300))
                .build();
        startProxy(group, b -> { });
        Held first = connect();
        connect();
        Socket waiting = closeLater(new Socket());
        waiting.connect(proxy.localAddress(), 5_000);
        Await.until(() -> group.queued() == 1, PATIENCE, () -> "the third client waits in the queue");
        assertEquals(2, s.get(0).accepted());
        first.close();
        waiting.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals('a', waiting.getInputStream().read(), "served once a slot freed");
        assertEquals(0, group.queued());

        // Full again: this one waits out the queue timeout and is refused with a reset.
        Socket refused = closeLater(new Socket());
        refused.connect(proxy.localAddress(), 5_000);
        refused.setSoTimeout((int) PATIENCE.toMillis());
        long start = System.nanoTime();
        IOException reset = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> refused.getInputStream().read());
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMillis >= 250, "refused only after the queue timeout: " + waitedMillis + " ms; " + reset);
        Await.until(() -> events.of("connectFailed").size() == 1, PATIENCE, () -> "the refusal is heard");
        Throwable cause = events.of("connectFailed").get(0).cause();
        assertTrue(cause instanceof UpstreamUnavailableException u
                && u.reason() == UpstreamUnavailableException.Reason.QUEUE_TIMEOUT, "cause: " + cause);
    }

    @Test
    void backupServersServeOnlyWhileNoPrimaryIsUsable() throws Exception {
        List<TaggedServer> s = servers(2);
        UpstreamGroup group = UpstreamGroup.builder("with-backup")
                .server("a", s.get(0).address())
                .server(ServerSpec.of("b", s.get(1).address()).backup(true))
                .build();
        startProxy(group, b -> { });
        for (int i = 0; i < 5; i++) {
            assertEquals('a', transfer(9, 512));
        }
        group.disable("a");
        for (int i = 0; i < 5; i++) {
            assertEquals('b', transfer(10, 512));
        }
        group.enable("a");
        assertEquals('a', transfer(11, 512));
        assertEquals(5, s.get(1).accepted());
    }

    @Test
    void atTheProxyWideLimitNewClientsWaitInTheBacklog() throws Exception {
        List<TaggedServer> s = servers(1);
        startProxy(groupOf(s).build(), b -> b.maxConnections(3));
        Held first = connect();
        connect();
        connect();
        Socket waiting = closeLater(new Socket());
        waiting.connect(proxy.localAddress(), 5_000);
        waiting.getOutputStream().write(new byte[] {42});
        waiting.setSoTimeout(300);
        org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                () -> waiting.getInputStream().read(), "not accepted while 3 connections are open");
        assertEquals(3, s.get(0).accepted());
        first.close();
        waiting.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals('a', waiting.getInputStream().read(), "accepted once one closed");
        assertEquals(42, waiting.getInputStream().read(), "with what it sent while it waited");
    }

    // ---- lifecycle ----

    @Test
    void checksStopAtCloseAndLeaveNothing() throws Exception {
        List<TaggedServer> s = servers(2);
        UpstreamGroup group = groupOf(s)
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(30)).timeout(Duration.ofMillis(25))
                        .build())
                .build();
        Proxy running = startProxy(group, b -> { });
        Await.until(() -> s.get(0).accepted() >= 3 && s.get(1).accepted() >= 3, PATIENCE,
                () -> "checks reach both servers");
        int tag = transfer(12, 1024);
        assertTrue(tag == 'a' || tag == 'b', "served by a or b: " + (char) tag);
        running.close();
        // A check the kernel connected just before close() may still reach the servers' accept
        // threads; after that, nothing more may come.
        TimeUnit.MILLISECONDS.sleep(100);
        int[] afterClose = {s.get(0).accepted(), s.get(1).accepted()};
        TimeUnit.MILLISECONDS.sleep(300);
        assertArrayEquals(afterClose, new int[] {s.get(0).accepted(), s.get(1).accepted()},
                "no check after close()");
        Await.until(() -> s.get(0).open() == 0 && s.get(1).open() == 0, PATIENCE,
                () -> "every check connection closed");
        assertTrue(group.servers().stream().allMatch(server -> server.activeConnections() == 0),
                "no connection counted: " + group.servers());
    }

    /**
     * Accounts for every broken transfer: none was refused for want of a retry (no connection
     * failed to connect), and each was a connection {@code server} had already completed in its
     * kernel and then reset itself: closing a listening socket resets the connections still in
     * its accept queue, which the proxy had connected and written to. Those cannot be retried
     * safely (a server that reads and then fails looks the same), by us or by HAProxy.
     */
    private void assertOnlyTheServerItselfCutTransfers(int failedTransfers, TaggedServer server) {
        Await.until(() -> proxy.stats().activeConnections() == 0, PATIENCE, () -> "every transfer closed");
        assertEquals(List.of(), events.of("connectFailed"), "no client refused for want of a retry");
        List<RecordingListener.Event> cut = events.of("closed").stream().filter(e -> e.cause() != null).toList();
        assertTrue(cut.stream().allMatch(e -> server.address().equals(e.connection().upstream())),
                "every connection that ended in an error was on the stopped server: " + cut);
        assertEquals(failedTransfers, cut.size(), "each broken transfer is one the server reset");
        LOGGER.info("{}: {} transfer(s) reset by server {} itself; {} attempt(s) retried", getClass().getSimpleName(),
                failedTransfers, (char) server.tag(), events.of("attemptFailed").size());
    }

    private static ServerState state(UpstreamGroup group, String name) {
        for (ServerSnapshot server : group.servers()) {
            if (server.name().equals(name)) {
                return server.state();
            }
        }
        throw new AssertionError("no server " + name + " in " + group.servers());
    }
}
