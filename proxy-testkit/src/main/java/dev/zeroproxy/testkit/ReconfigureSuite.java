package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.internal.ProxyServer;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import dev.zeroproxy.upstream.UpstreamUnavailableException;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Proxy#reconfigure} through a real proxy, written once and run for every transport ×
 * forwarding mode: connections accepted before a reconfigure keep the configuration they were
 * accepted with (their upstream, their timeouts) and complete byte for byte, those accepted
 * after get the new one, the listening sockets stay and no client is refused; a replaced
 * upstream is stopped once its last connection has closed, and only then; the connection limit
 * follows; the settings fixed at the start are refused by name, changing nothing. The servers
 * are {@link TaggedServer}s, so each client knows which one it reached; payloads are random.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ReconfigureSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** Concurrent clients in the steady stream. */
    private static final int STREAM_WORKERS = 3;

    /** Clients, closed first after each test; then the proxy must hold nothing; then the servers. */
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<TaggedServer> servers = new ArrayList<>();
    /** Proxies and runtimes a test starts besides the one under test, closed last. */
    private final List<AutoCloseable> others = new ArrayList<>();
    private Proxy proxy;
    private RecordingListener events;

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
            try {
                for (TaggedServer server : servers) {
                    server.close();
                }
            } finally {
                if (proxy != null) {
                    proxy.close();
                }
                for (AutoCloseable other : others) {
                    other.close();
                }
            }
        }
    }

    private Proxy startProxy(Upstream upstream, Consumer<ProxyBuilder> settings) {
        events = new RecordingListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
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

    /** The running configuration with {@code change} applied, as a caller of reconfigure derives it. */
    private ProxyConfig changed(UnaryOperator<ProxyBuilder> change) {
        return change.apply(proxy.config().toBuilder()).build();
    }

    private TaggedServer server(int tag) throws IOException {
        TaggedServer server = TaggedServer.start(tag);
        servers.add(server);
        return server;
    }

    /** A client connected through the proxy that has read its server's tag. */
    private Held connect() throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.setTcpNoDelay(true);
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return new Held(socket, socket.getInputStream().read());
    }

    /** An open connection and the tag of the server it reached (-1: ended before one came). */
    private record Held(Socket socket, int tag) {
        /** Sends {@code bytes} random bytes in random chunks and reads their echo, compared by SHA-256. */
        void echo(long seed, int bytes) throws IOException {
            String sent = Payload.write(socket.getOutputStream(), seed, bytes, 4096);
            assertEquals(sent, Payload.readExactly(socket.getInputStream(), bytes),
                    "echoed byte for byte through server " + (char) tag);
        }

        /** Half-closes and expects the server's clean end. */
        void finish() throws IOException {
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "a clean end after the echo");
            socket.close();
        }
    }

    /** One connection of the steady stream: when it started and got its tag, and which tag. */
    private record Transfer(long connectNanos, long taggedNanos, int tag) { }

    /** Connects, reads the tag, echoes {@code bytes} random bytes byte for byte, half-closes and expects a clean end. */
    private Transfer transfer(long seed, int bytes) throws IOException {
        long connectNanos = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(proxy.localAddress(), 5_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            int tag = socket.getInputStream().read();
            long taggedNanos = System.nanoTime();
            if (tag < 0) {
                throw new IOException("ended before any server answered");
            }
            Held held = new Held(socket, tag);
            held.echo(seed, bytes);
            held.finish();
            return new Transfer(connectNanos, taggedNanos, tag);
        }
    }

    // ---- the switch ----

    @Test
    void underASteadyStreamOnlyConnectionsAcceptedAfterAReconfigureReachTheNewUpstream() throws Exception {
        TaggedServer before = server('o');
        TaggedServer after = server('n');
        startProxy(Upstream.of(before.address()), b -> { });
        List<Channel> listeners = ((ProxyServer) proxy).serverChannels();
        // Connections mid-stream at the switch: one echo before it, one after.
        List<Held> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Held held = connect();
            assertEquals('o', held.tag());
            held.echo(100 + i, 48 * 1024);
            open.add(held);
        }

        ConcurrentLinkedQueue<Transfer> done = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong seeds = new AtomicLong(1_000);
        ExecutorService stream = Executors.newFixedThreadPool(STREAM_WORKERS);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < STREAM_WORKERS; w++) {
            workers.add(stream.submit(() -> {
                SplittableRandom sizes = new SplittableRandom(seeds.incrementAndGet());
                for (int i = 0; i < 500 && !stop.get(); i++) {
                    try {
                        done.add(transfer(seeds.incrementAndGet(), 1 + sizes.nextInt(32 * 1024)));
                    } catch (Throwable e) {
                        failed.add(e);
                    }
                }
            }));
        }
        long called;
        long returned;
        try {
            Await.until(() -> done.size() >= 10, PATIENCE, () -> "the stream flows before the switch");
            called = System.nanoTime();
            proxy.reconfigure(changed(b -> b.upstream(Upstream.of(after.address()))));
            returned = System.nanoTime();
            Await.until(() -> done.stream().filter(t -> t.connectNanos() > returned).count() >= 10, PATIENCE,
                    () -> "the stream flows after the switch; failures " + failed);
        } finally {
            stop.set(true);
            stream.shutdown();
        }
        for (Future<?> worker : workers) {
            worker.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        assertEquals(List.of(), List.copyOf(failed), "every connection of the stream completed byte for byte");
        for (Transfer transfer : done) {
            if (transfer.taggedNanos() < called) {
                assertEquals('o', transfer.tag(), "connected before the reconfigure: the old upstream");
            } else if (transfer.connectNanos() > returned) {
                assertEquals('n', transfer.tag(), "connected after the reconfigure: the new upstream");
            } else {
                assertTrue(transfer.tag() == 'o' || transfer.tag() == 'n', "one of the two: " + transfer);
            }
        }
        for (int i = 0; i < open.size(); i++) {
            open.get(i).echo(200 + i, 48 * 1024);
            open.get(i).finish();
        }
        assertEquals(2, proxy.generation());
        List<Channel> listenersAfter = ((ProxyServer) proxy).serverChannels();
        assertEquals(listeners.size(), listenersAfter.size());
        for (int i = 0; i < listeners.size(); i++) {
            assertSame(listeners.get(i), listenersAfter.get(i), "the listening channel is the same object");
            assertTrue(listenersAfter.get(i).isActive(), "and still listening");
        }
        Await.until(() -> events.of("closed").size() == events.of("opened").size(), PATIENCE,
                () -> "every connection closed");
        assertEquals(List.of(), events.of("connectFailed"), "no connection failed to reach an upstream");
        assertEquals(0, proxy.stats().refusedConnectionsTotal(), "none refused");
        assertTrue(events.of("closed").stream().allMatch(e -> e.cause() == null), "each ended cleanly");
    }

    @Test
    void openConnectionsKeepTheTimeoutsTheyWereAcceptedWith() throws Exception {
        TaggedServer server = server('a');
        startProxy(Upstream.of(server.address()), b -> { });
        Held old = connect();
        old.echo(1, 1024);
        Duration idle = Duration.ofMillis(300);
        proxy.reconfigure(changed(b -> b.idleTimeout(idle)));
        Held young = connect();
        young.echo(2, 1024);
        long silentFrom = System.nanoTime();
        assertEquals("reset", endOf(young.socket().getInputStream()), "the new connection is cut when idle");
        assertTrue(System.nanoTime() - silentFrom >= idle.toNanos() - TimeUnit.MILLISECONDS.toNanos(10),
                "not before its idle timeout");
        Await.until(() -> events.of("closed").size() == 1, PATIENCE, () -> "the cut is heard");
        RecordingListener.Event cut = events.of("closed").get(0);
        assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                assertInstanceOf(ProxyClosedConnectionException.class, cut.cause()).reason());
        // Silent for longer than the new idle timeout too: it keeps its own (an hour).
        old.echo(3, 1024);
        old.finish();
    }

    // ---- the replaced upstream ----

    @Test
    void aReplacedUpstreamIsStoppedOnlyOnceTheLastConnectionOfItsGenerationClosed() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        CountingUpstream first = CountingUpstream.to(a.address());
        CountingUpstream second = CountingUpstream.to(b.address());
        startProxy(first, s -> { });
        assertEquals(1, first.starts());
        Held held = connect();
        assertEquals('a', held.tag());

        proxy.reconfigure(changed(s -> s.upstream(second)));
        assertEquals(1, second.starts(), "the new upstream is started before the switch");
        assertEquals(0, first.stops(), "the old one still has a connection");
        assertEquals('b', transfer(1, 4096).tag());
        held.echo(2, 64 * 1024);
        assertEquals(0, first.stops());

        held.finish();
        Await.until(() -> first.stops() == 1, PATIENCE, () -> "the old upstream stopped with its last connection");
        assertEquals(0, second.stops(), "the current upstream runs on");
        assertEquals('b', transfer(3, 4096).tag());
        proxy.close();
        assertEquals(1, first.stops(), "stopped once");
        assertEquals(1, second.stops(), "the current one stops at close");
    }

    @Test
    void aReplacedUpstreamWithNoConnectionLeftStopsAtOnceAndOneStillUsedStopsAtClose() throws Exception {
        TaggedServer a = server('a');
        CountingUpstream first = CountingUpstream.to(a.address());
        CountingUpstream second = CountingUpstream.to(a.address());
        CountingUpstream third = CountingUpstream.to(a.address());
        startProxy(first, s -> { });
        assertEquals('a', transfer(1, 1024).tag());
        Await.until(() -> proxy.stats().activeConnections() == 0, PATIENCE, () -> "the transfer closed");
        proxy.reconfigure(changed(s -> s.upstream(second)));
        assertEquals(1, first.stops(), "nothing used it any more");
        connect();
        proxy.reconfigure(changed(s -> s.upstream(third)));
        assertEquals(0, second.stops(), "a connection still uses it");
        proxy.close();
        assertEquals(List.of(1, 1, 1), List.of(first.stops(), second.stops(), third.stops()),
                "each stopped once, the one with a connection at close");
    }

    @Test
    void aReplacedGroupKeepsCheckingUntilItsLastConnectionClosedAndIsThenFreeForAnotherProxy() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        UpstreamGroup group = UpstreamGroup.builder("old").server("a", a.address())
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(30)).timeout(Duration.ofMillis(25))
                        .build())
                .build();
        startProxy(group, s -> { });
        Held held = connect();
        assertEquals('a', held.tag());
        proxy.reconfigure(changed(s -> s.upstream(Upstream.of(b.address()))));
        int checksAtTheSwitch = a.accepted();
        Await.until(() -> a.accepted() >= checksAtTheSwitch + 3, PATIENCE,
                () -> "the replaced group still checks while its connection is open");
        ProxyBuilder another = Proxy.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(group).transport(transport()).forwarding(forwarding()).eventLoops(1);
        IllegalStateException busy = assertThrows(IllegalStateException.class, another::start,
                "the group still serves the first proxy");
        assertTrue(busy.getMessage().contains("already serves"), busy.getMessage());

        held.echo(1, 32 * 1024);
        held.finish();
        Await.until(() -> proxy.stats().activeConnections() == 0, PATIENCE, () -> "the last old connection closed");
        // Stopped: another proxy may start it (a running group refuses a second proxy).
        Proxy next = Proxy.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(group).transport(transport()).forwarding(forwarding()).eventLoops(1)
                .drainTimeout(Duration.ZERO).start();
        others.add(next);
        assertEquals('b', transfer(2, 1024).tag(), "the first proxy serves from its new upstream");
    }

    @Test
    void reconfiguringBackToAnUpstreamAnOlderGenerationStillUsesNeitherRestartsNorStopsIt() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        CountingUpstream first = CountingUpstream.to(a.address());
        CountingUpstream second = CountingUpstream.to(b.address());
        startProxy(first, s -> { });
        Held held = connect();
        assertEquals('a', held.tag());
        proxy.reconfigure(changed(s -> s.upstream(second)));
        proxy.reconfigure(changed(s -> s.upstream(first)));
        assertEquals(3, proxy.generation());
        assertEquals(1, first.starts(), "still running for the first generation's connection: not started again");
        assertEquals(1, second.stops(), "the middle one had no connection: stopped");

        held.echo(1, 16 * 1024);
        held.finish();
        Await.until(() -> proxy.stats().activeConnections() == 0, PATIENCE, () -> "the old connection closed");
        assertEquals(0, first.stops(), "the current generation uses it");
        assertTrue(first.isRunning());
        assertEquals('a', transfer(2, 4096).tag());
        proxy.close();
        assertEquals(1, first.stops());
    }

    @Test
    void keepingTheUpstreamNeitherRestartsNorStopsIt() throws Exception {
        TaggedServer a = server('a');
        CountingUpstream upstream = CountingUpstream.to(a.address());
        startProxy(upstream, s -> { });
        Held held = connect();
        proxy.reconfigure(changed(s -> s.connectTimeout(Duration.ofSeconds(3))));
        held.echo(1, 4096);
        held.finish();
        Await.until(() -> proxy.stats().activeConnections() == 0, PATIENCE, () -> "the old connection closed");
        assertEquals(List.of(1, 0), List.of(upstream.starts(), upstream.stops()));
        assertEquals('a', transfer(2, 4096).tag());
        assertEquals(Duration.ofSeconds(3), proxy.config().connectTimeout());
    }

    @Test
    void aKeptGroupReportsItsServersToTheListenerOfTheCurrentConfiguration() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        UpstreamGroup group = UpstreamGroup.builder("kept").server("a", a.address()).server("b", b.address())
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(30)).timeout(Duration.ofMillis(25))
                        .fall(2).rise(2).build())
                .build();
        startProxy(group, s -> { });
        RecordingListener first = events;
        RecordingListener second = new RecordingListener();
        proxy.reconfigure(changed(s -> s.listener(second)));
        a.stopListening();
        Await.until(() -> second.stateChanges().stream().anyMatch(c -> c.server().equals("a")
                && c.to() == ServerState.DOWN), PATIENCE,
                () -> "the current listener hears a go down: " + second.stateChanges());
        a.startListening();
        Await.until(() -> second.stateChanges().stream().anyMatch(c -> c.server().equals("a")
                && c.to() == ServerState.UP), PATIENCE,
                () -> "and come back: " + second.stateChanges());
        assertEquals(List.of(), first.stateChanges(), "the replaced listener hears nothing more");
        transfer(1, 1024);
        Await.until(() -> second.of("closed").size() == 1, PATIENCE, () -> "the new connection is heard");
        assertEquals(List.of(), first.all(), "by the current listener only");
    }

    @Test
    void aKeptGroupQueuesForTheConnectTimeoutOfTheCurrentConfiguration() throws Exception {
        TaggedServer a = server('a');
        UpstreamGroup group = UpstreamGroup.builder("limited")
                .server(ServerSpec.of("a", a.address()).maxConnections(1)).build();
        startProxy(group, s -> s.connectTimeout(Duration.ofSeconds(10)));
        Held held = connect();
        assertEquals('a', held.tag());
        Duration shorter = Duration.ofMillis(300);
        proxy.reconfigure(changed(s -> s.connectTimeout(shorter)));
        long started = System.nanoTime();
        try (Socket waiting = new Socket()) {
            waiting.connect(proxy.localAddress(), 5_000);
            waiting.setSoTimeout((int) PATIENCE.toMillis());
            assertThrows(SocketException.class, () -> waiting.getInputStream().read(), "refused with a reset");
        }
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Await.until(() -> events.of("connectFailed").size() == 1, PATIENCE, () -> "the refusal is heard");
        Throwable cause = events.of("connectFailed").get(0).cause();
        assertTrue(cause instanceof UpstreamUnavailableException u
                && u.reason() == UpstreamUnavailableException.Reason.QUEUE_TIMEOUT,
                "the queue timed out, at the new connect timeout: " + cause);
        assertTrue(waitedMillis >= shorter.toMillis() - 20 && waitedMillis < 1_000,
                "queued for the current connect timeout, not the first one: " + waitedMillis + " ms");
        held.finish();
    }

    @Test
    void anUpstreamThatFailsToStartLeavesTheRunningConfiguration() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        startProxy(Upstream.of(a.address()), s -> { });
        ProxyConfig running = proxy.config();
        Upstream failing = new Upstream() {
            @Override
            public void select(UpstreamAttempt attempt) {
                attempt.connect(b::address);
            }

            @Override
            public void start(UpstreamRuntime runtime) {
                throw new IllegalStateException("cannot start");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> proxy.reconfigure(changed(s -> s.upstream(failing))));
        assertEquals("cannot start", e.getMessage());
        assertSame(running, proxy.config());
        assertEquals(1, proxy.generation());
        assertEquals('a', transfer(1, 4096).tag());
    }

    // ---- the limit ----

    @Test
    void aLoweredConnectionLimitHoldsNewClientsInTheBacklogAndARaisedOneLetsThemIn() throws Exception {
        TaggedServer a = server('a');
        startProxy(Upstream.of(a.address()), s -> { });
        List<Held> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(connect());
        }
        proxy.reconfigure(changed(s -> s.maxConnections(2)));
        Socket waiting = new Socket();
        clients.add(waiting);
        waiting.connect(proxy.localAddress(), 5_000);
        waiting.getOutputStream().write(42);
        waiting.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read(),
                "not accepted while 3 connections are open, 2 allowed");
        held.get(0).finish();
        assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read(),
                "not accepted while 2 are open, 2 allowed");
        assertEquals(3, a.accepted());

        proxy.reconfigure(changed(s -> s.maxConnections(3)));
        waiting.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals('a', waiting.getInputStream().read(), "accepted once the limit rose");
        assertEquals(42, waiting.getInputStream().read(), "with what it sent while it waited");

        proxy.reconfigure(changed(s -> s.maxConnections(0)));
        for (int i = 0; i < 3; i++) {
            assertEquals('a', connect().tag(), "no limit any more");
        }
        assertEquals(4, proxy.generation());
    }

    // ---- what cannot change ----

    @Test
    void settingsFixedAtTheStartAreRefusedByNameAndChangeNothing() throws Exception {
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        startProxy(Upstream.of(a.address()), s -> { });
        ProxyConfig running = proxy.config();
        ProxyRuntime runtime = ProxyRuntime.builder().transport(transport()).eventLoops(2).start();
        others.add(runtime);
        Map<String, UnaryOperator<ProxyBuilder>> fixed = new LinkedHashMap<>();
        fixed.put("listen", s -> s.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                proxy.localAddress().getPort() == 65_535 ? 65_534 : proxy.localAddress().getPort() + 1)));
        Transport otherTransport = Transport.all().stream()
                .filter(t -> t.isAvailable() && !t.name().equals(transport().name())).findFirst().orElse(null);
        if (otherTransport != null) {
            fixed.put("transport", s -> s.transport(otherTransport).forwarding(Forwarding.COPY));
        }
        fixed.put("eventLoops", s -> s.eventLoops(1));
        fixed.put("runtime", s -> s.runtime(runtime));
        Forwarding otherMode = forwarding() != Forwarding.COPY ? Forwarding.COPY
                : transport().supports(Forwarding.SPLICE) ? Forwarding.SPLICE : null;
        if (otherMode != null) {
            fixed.put("forwarding", s -> s.forwarding(otherMode));
        }
        fixed.put("spliceThreshold", s -> s.spliceThreshold(running.spliceThreshold() + 1));
        fixed.put("splicePipeSize", s -> s.splicePipeSize(running.splicePipeSize() * 2));
        fixed.put("writeBufferWaterMark", s -> s.writeBufferWaterMark(16 * 1024, 48 * 1024));
        fixed.put("directMemoryBudget", s -> s.directMemoryBudget(running.directMemoryBudget() / 2));
        fixed.put("socketOptions", s -> s.socketOption(TcpOption.SO_KEEPALIVE, true));

        for (Map.Entry<String, UnaryOperator<ProxyBuilder>> setting : fixed.entrySet()) {
            CountingUpstream unused = CountingUpstream.to(b.address());
            ProxyConfig next = changed(s -> setting.getValue().apply(s.upstream(unused)));
            InvalidSettingException refused = assertThrows(InvalidSettingException.class,
                    () -> proxy.reconfigure(next), setting.getKey());
            assertEquals(setting.getKey(), refused.setting(), refused.getMessage());
            assertTrue(refused.getMessage().contains("cannot be changed on a running proxy"), refused.getMessage());
            assertSame(running, proxy.config(), setting.getKey() + ": nothing changed");
            assertEquals(1, proxy.generation(), setting.getKey());
            assertEquals(0, unused.starts(), setting.getKey() + ": the upstream of a refused configuration is not started");
        }
        assertEquals('a', transfer(1, 4096).tag(), "still the first configuration");
        // The address bound for a port 0 is no other address.
        proxy.reconfigure(changed(s -> s.listen(proxy.localAddress()).upstream(b.address())));
        assertEquals(2, proxy.generation());
        assertEquals('b', transfer(2, 4096).tag());
    }

    @Test
    void aClosedProxyCannotBeReconfigured() throws Exception {
        TaggedServer a = server('a');
        startProxy(Upstream.of(a.address()), s -> { });
        ProxyConfig next = changed(s -> s.idleTimeout(Duration.ofMinutes(5)));
        proxy.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> proxy.reconfigure(next));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(1, proxy.generation());
        assertFalse(proxy.isAccepting());
    }

    /** Reads {@code in} to its end: "EOF", or "reset" when the read fails (ECONNRESET). */
    private static String endOf(InputStream in) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            return "EOF";
        } catch (SocketTimeoutException timeout) {
            throw timeout;
        } catch (SocketException reset) {
            return "reset";
        }
    }
}
