package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relay test suite, written once: every transport module runs it for each forwarding mode
 * by subclassing and naming its {@link #transport()} and {@link #forwarding()}.
 *
 * <p>Real sockets on 127.0.0.1, port 0; random payloads checked by SHA-256; the upstream peer is
 * plain blocking {@code java.net} code. After each test no proxy channel may be left open, and
 * (through {@link LeakDetection}) no buffer may have leaked.
 *
 * <p>A combination that cannot run on this machine is skipped with its cause in the message,
 * never silently; set {@code -Dzeroproxy.requireAllTransports=true} to turn such a skip into a
 * failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class RelaySuite {
    /** Bytes each way in the bulk test; override with {@code -Dzeroproxy.test.bulkBytes}. */
    private static final long BULK_BYTES = Long.getLong("zeroproxy.test.bulkBytes", 256L << 20);
    /**
     * Bytes the upstream pushes at a client that does not read: eight times the memory bound, far
     * more than the sockets' buffers on the way can hold, so the proxy must hold it back.
     */
    private static final long SLOW_READER_BYTES = Long.getLong("zeroproxy.test.slowReaderBytes", 256L << 20);
    /** Pairs held open at once by the many-connections test; override with {@code -Dzeroproxy.test.manyPairs}. */
    private static final int MANY_PAIRS = Integer.getInteger("zeroproxy.test.manyPairs", 2_000);
    /** The most direct memory the proxy may hold while its client does not read. */
    private static final long SLOW_READER_MEMORY_BOUND = 32L << 20;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** The proxy under test, once {@link #startProxy} ran. */
    protected Proxy proxy;
    /** Every event the proxy reported. */
    protected RecordingListener events;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    /**
     * Receive buffers a transport keeps per pair while both of its channels wait for data: 0
     * where a buffer is taken only once data is there (NIO, epoll). A transport that posts a
     * buffer with each pending read (io_uring) holds one per channel, plus the one being handed
     * back, and says so here rather than weaken the check for everyone.
     */
    protected int receiveBuffersHeldPerWaitingPair() {
        return 0;
    }

    /** Lets a subclass add settings (thresholds, socket options) to every proxy of the suite. */
    protected ProxyBuilder customize(ProxyBuilder builder) {
        return builder;
    }

    @BeforeEach
    void requireTransport() {
        TransportAssumptions.assumeAvailable(transport());
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            if (proxy != null) {
                Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                        Duration.ofSeconds(10), () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    /** Starts the proxy under test in front of {@code upstream}. */
    protected Proxy startProxy(InetSocketAddress upstream, Consumer<ProxyBuilder> settings) {
        events = new RecordingListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(customize(builder));
        proxy = builder.start();
        return proxy;
    }

    /** Starts an upstream peer that is closed after the test. */
    protected LoopbackServer upstream(LoopbackServer.Handler handler) throws IOException {
        return closeLater(LoopbackServer.start(handler));
    }

    /** Closes {@code resource} after the test, before the proxy. */
    protected <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    /** A client socket connected to the proxy. */
    protected Socket connectClient() throws IOException {
        Socket socket = closeLater(new Socket());
        socket.setTcpNoDelay(true);
        socket.connect(proxy.localAddress(), 5_000);
        return socket;
    }

    // ---- integrity ----

    @Test
    void oneByteWritesArriveInOrder() throws Exception {
        LoopbackServer echo = closeLater(LoopbackServer.echo());
        startProxy(echo.address(), b -> { });
        Socket client = connectClient();
        int length = 4096;
        CompletableFuture<Payload.Received> echoed = readAsync(client, 1);
        String sent = Payload.write(client.getOutputStream(), 11, length, 1);
        client.shutdownOutput();
        Payload.Received received = echoed.get(60, TimeUnit.SECONDS);
        assertEquals(length, received.length());
        assertEquals(sent, received.sha256());
        assertCleanClose(length, length);
    }

    @Test
    void randomChunkSizesArriveIntact() throws Exception {
        LoopbackServer echo = closeLater(LoopbackServer.echo());
        startProxy(echo.address(), b -> { });
        Socket client = connectClient();
        long length = 8L << 20;
        CompletableFuture<Payload.Received> echoed = readAsync(client, 70_000);
        String sent = Payload.write(client.getOutputStream(), 12, length, 70_000);
        client.shutdownOutput();
        Payload.Received received = echoed.get(60, TimeUnit.SECONDS);
        assertEquals(length, received.length());
        assertEquals(sent, received.sha256());
        assertCleanClose(length, length);
    }

    @Test
    void bulkStreamsBothWaysAtOnce() throws Exception {
        CompletableFuture<Payload.Received> upstreamGot = new CompletableFuture<>();
        LoopbackServer server = upstream(socket -> {
            CompletableFuture<Payload.Received> reading = readAsync(socket, 64 * 1024);
            Payload.write(socket.getOutputStream(), 22, BULK_BYTES, 64 * 1024);
            socket.shutdownOutput();
            upstreamGot.complete(reading.get(120, TimeUnit.SECONDS));
        });
        startProxy(server.address(), b -> { });
        Socket client = connectClient();
        CompletableFuture<Payload.Received> clientGot = readAsync(client, 64 * 1024);
        String sent = Payload.write(client.getOutputStream(), 21, BULK_BYTES, 64 * 1024);
        client.shutdownOutput();
        Payload.Received atUpstream = upstreamGot.get(120, TimeUnit.SECONDS);
        Payload.Received atClient = clientGot.get(120, TimeUnit.SECONDS);
        assertEquals(BULK_BYTES, atUpstream.length());
        assertEquals(sent, atUpstream.sha256());
        assertEquals(BULK_BYTES, atClient.length());
        assertEquals(Payload.sha256Of(22, BULK_BYTES), atClient.sha256());
        assertCleanClose(BULK_BYTES, BULK_BYTES);
    }

    @Test
    void concurrentConnectionsEachArriveIntact() throws Exception {
        LoopbackServer echo = closeLater(LoopbackServer.echo());
        startProxy(echo.address(), b -> { });
        int connections = 200;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<String>> results = new ArrayList<>();
            SplittableRandom sizes = new SplittableRandom(31);
            for (int i = 0; i < connections; i++) {
                long seed = 1000 + i;
                long length = sizes.nextLong(1, 512 * 1024);
                results.add(pool.submit(() -> {
                    try (Socket client = new Socket()) {
                        client.connect(proxy.localAddress(), 10_000);
                        CompletableFuture<Payload.Received> echoed = readAsync(client, 16 * 1024);
                        String sent = Payload.write(client.getOutputStream(), seed, length, 16 * 1024);
                        client.shutdownOutput();
                        Payload.Received got = echoed.get(60, TimeUnit.SECONDS);
                        assertEquals(length, got.length(), "connection with seed " + seed);
                        assertEquals(sent, got.sha256(), "connection with seed " + seed);
                        return sent;
                    }
                }));
            }
            for (Future<String> result : results) {
                assertNotNull(result.get(90, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        events.awaitClosed(connections, 30);
        assertEquals(connections, events.of("closed").size());
        events.of("closed").forEach(e -> assertNull(e.cause(), () -> "clean close expected: " + e));
    }

    /**
     * The bounded version of proxy-bench/scripts/many-conns.py: 2,000 pairs (by default) open
     * at once, idle after a first exchange without holding a buffer, then each echoes its own
     * payload with a half-close, byte for byte, and each closes cleanly once.
     */
    @Test
    void manyIdlePairsHoldNoBufferAndEachStillEchoesIntact() throws Exception {
        SelectorEchoServer echo = closeLater(SelectorEchoServer.start());
        startProxy(echo.address(), b -> { });
        ConnectionCrowd crowd = closeLater(ConnectionCrowd.open(proxy.localAddress(), MANY_PAIRS));
        Await.until(() -> echo.accepted() == MANY_PAIRS && proxy.stats().activeConnections() == MANY_PAIRS,
                Duration.ofSeconds(60), () -> echo.accepted() + " accepted upstream; " + proxy.stats());
        long buffersBefore = directBuffersOutOfThePool();
        crowd.echoAll(70_000, 1024, false, Duration.ofSeconds(60));
        long heldWhileIdle = directBuffersOutOfThePool() - buffersBefore;
        // Pooled buffers sit in the event loops' thread caches between reads, a few hundred at
        // most; one buffer kept per idle connection would be MANY_PAIRS more.
        assertTrue(heldWhileIdle < MANY_PAIRS / 4, heldWhileIdle + " pooled buffers more than before, with "
                + MANY_PAIRS + " idle pairs open: idle connections hold buffers");
        assertEquals(2L * MANY_PAIRS, proxy.stats().openChannels(), "two sockets per pair, no more");

        crowd.echoAll(80_000, 4096, true, Duration.ofSeconds(60));
        crowd.close();
        events.awaitClosed(MANY_PAIRS, 60);
        assertEquals(MANY_PAIRS, events.of("closed").size());
        events.of("closed").forEach(e -> assertNull(e.cause(), () -> "clean close expected: " + e));
    }

    /** Direct buffers the pool has handed out and not had back (its threads' caches included). */
    private static long directBuffersOutOfThePool() {
        return PooledByteBufAllocator.DEFAULT.metric().directArenas().stream()
                .mapToLong(arena -> arena.numActiveAllocations()).sum();
    }

    // ---- half-close ----

    @Test
    void halfCloseFromClientStillDeliversResponse() throws Exception {
        long responseLength = 8L << 20;
        CompletableFuture<Payload.Received> request = new CompletableFuture<>();
        LoopbackServer server = upstream(socket -> {
            // Answer only after the request's EOF, like a server reading a whole request.
            request.complete(Payload.readToEof(socket.getInputStream(), 8192));
            Payload.write(socket.getOutputStream(), 42, responseLength, 32 * 1024);
            socket.shutdownOutput();
        });
        startProxy(server.address(), b -> { });
        Socket client = connectClient();
        String sentRequest = Payload.write(client.getOutputStream(), 41, 100_000, 4096);
        client.shutdownOutput();
        Payload.Received response = Payload.readToEof(client.getInputStream(), 16 * 1024);
        assertEquals(sentRequest, request.get(30, TimeUnit.SECONDS).sha256());
        assertEquals(responseLength, response.length());
        assertEquals(Payload.sha256Of(42, responseLength), response.sha256());
        assertCleanClose(100_000, responseLength);
    }

    @Test
    void halfCloseFromUpstreamStillDeliversRequest() throws Exception {
        long pushLength = 8L << 20;
        long requestLength = 3L << 20;
        CompletableFuture<Payload.Received> request = new CompletableFuture<>();
        LoopbackServer server = upstream(socket -> {
            // The server speaks first and says it is done, then still reads the client's reply.
            Payload.write(socket.getOutputStream(), 52, pushLength, 32 * 1024);
            socket.shutdownOutput();
            request.complete(Payload.readToEof(socket.getInputStream(), 8192));
        });
        startProxy(server.address(), b -> { });
        Socket client = connectClient();
        Payload.Received pushed = Payload.readToEof(client.getInputStream(), 16 * 1024);
        String sentRequest = Payload.write(client.getOutputStream(), 51, requestLength, 16 * 1024);
        client.shutdownOutput();
        assertEquals(pushLength, pushed.length());
        assertEquals(Payload.sha256Of(52, pushLength), pushed.sha256());
        Payload.Received atUpstream = request.get(30, TimeUnit.SECONDS);
        assertEquals(requestLength, atUpstream.length());
        assertEquals(sentRequest, atUpstream.sha256());
        assertCleanClose(requestLength, pushLength);
    }

    // ---- slow reader ----

    @Test
    void slowReaderKeepsProxyMemoryBounded() throws Exception {
        LoopbackServer server = upstream(socket -> {
            Payload.write(socket.getOutputStream(), 61, SLOW_READER_BYTES, 64 * 1024);
            socket.shutdownOutput();
        });
        startProxy(server.address(), b -> { });
        long before = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        Socket client = connectClient();
        long most = before;
        // 1.5 s of a client that reads nothing: loopback fills every buffer on the way within a
        // few milliseconds, so a proxy that did not hold back would pass the bound well within it.
        long stallEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (System.nanoTime() < stallEnds) {
            // Sampling a gauge over a fixed window, not waiting for a condition.
            most = Math.max(most, proxy.stats().directMemoryUsed());
            Thread.sleep(20);
        }
        long grown = most - before;
        assertTrue(grown < SLOW_READER_MEMORY_BOUND, "proxy direct memory grew by " + grown
                + " B while its client read nothing (expected < " + SLOW_READER_MEMORY_BOUND + ")");
        Payload.Received got = Payload.readToEof(client.getInputStream(), 64 * 1024);
        client.shutdownOutput();
        assertEquals(SLOW_READER_BYTES, got.length());
        assertEquals(Payload.sha256Of(61, SLOW_READER_BYTES), got.sha256());
        assertCleanClose(0, SLOW_READER_BYTES);
    }

    // ---- failures ----

    @Test
    void upstreamRefusedClosesClientPromptly() throws Exception {
        InetSocketAddress refused;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused = (InetSocketAddress) gone.getLocalSocketAddress();
        }
        startProxy(refused, b -> { });
        try {
            assertEndsWithin(connectClient(), 5);
        } catch (SocketException resetWhileConnecting) {
            // The proxy resets a client whose upstream refused; it may do so before the client's own
            // connect call has returned, which then reports the reset itself.
            assertTrue(resetWhileConnecting.getMessage().contains("reset"), resetWhileConnecting.toString());
        }
        events.awaitClosed(1, 10);
        assertEquals(1, events.of("connectFailed").size());
        assertInstanceOf(ConnectException.class, events.of("connectFailed").get(0).cause());
        assertEquals(0, events.of("connected").size());
        assertEquals(1, events.of("closed").size());
        assertEquals(1, proxy.stats().upstreamConnectFailures());
    }

    @Test
    void upstreamConnectTimeoutClosesClient() throws Exception {
        LoopbackServer full = closeLater(LoopbackServer.neverAccepting());
        // Fill the accept queue (backlog 1 holds two) so later SYNs are dropped.
        for (int i = 0; i < 4; i++) {
            SocketChannel filler = closeLater(SocketChannel.open());
            filler.configureBlocking(false);
            filler.connect(full.address());
        }
        startProxy(full.address(), b -> b.connectTimeout(Duration.ofMillis(300)));
        Socket client = connectClient();
        assertEndsWithin(client, 10);
        events.awaitClosed(1, 10);
        assertEquals(1, events.of("connectFailed").size());
        assertInstanceOf(io.netty.channel.ConnectTimeoutException.class, events.of("connectFailed").get(0).cause());
        assertEquals(1, events.of("closed").size());
    }

    @Test
    void upstreamResetMidStreamEndsClient() throws Exception {
        LoopbackServer server = upstream(socket -> {
            Payload.write(socket.getOutputStream(), 71, 1 << 20, 16 * 1024);
            socket.setSoLinger(true, 0); // close() now sends RST
        });
        startProxy(server.address(), b -> { });
        Socket client = connectClient();
        assertEndsWithin(client, 10);
        events.awaitClosed(1, 10);
        assertEquals(1, events.of("closed").size());
    }

    /**
     * The reset matrix ({@link ResetCase#all()}): a reset from either side, at every phase of a
     * connection, reaches the other end as a reset after a byte-exact prefix, never as a clean
     * EOF after a cut stream.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.zeroproxy.testkit.ResetCase#all")
    void resetReachesTheOtherEndAsAReset(ResetCase resetCase) throws Exception {
        ResetScenario.run(this, resetCase);
    }

    @Test
    void idleTimeoutResetsBothSides() throws Exception {
        CompletableFuture<String> upstreamEnd = new CompletableFuture<>();
        LoopbackServer server = upstream(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            out.write(in.read());
            upstreamEnd.complete(endOf(in)); // idle until the proxy ends it
        });
        startProxy(server.address(), b -> b.idleTimeout(Duration.ofMillis(300)));
        Socket client = connectClient();
        client.getOutputStream().write(7);
        assertEquals(7, client.getInputStream().read());
        client.setSoTimeout(10_000);
        assertEquals("reset", endOf(client.getInputStream()), "the client");
        assertEquals("reset", upstreamEnd.get(10, TimeUnit.SECONDS), "the upstream");
        events.awaitClosed(1, 10);
        Throwable cause = events.of("closed").get(0).cause();
        assertInstanceOf(ProxyClosedConnectionException.class, cause);
        assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                ((ProxyClosedConnectionException) cause).reason());
    }

    /**
     * A drain cut is a cut: both peers are mid-stream (each has pushed megabytes the other has
     * not read) when the drain timeout runs out, and each must read a reset after a prefix of
     * what the other sent, never a clean EOF that would pass the cut stream off as complete.
     */
    @Test
    void drainTimeoutCutsBothSidesWithAReset() throws Exception {
        ServerSocketChannel listener = closeLater(ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        startProxy((InetSocketAddress) listener.getLocalAddress(), b -> b.drainTimeout(Duration.ofMillis(300)));
        ScriptedPeer client = closeLater(new ScriptedPeer(SocketChannel.open(proxy.localAddress())));
        ScriptedPeer upstream = closeLater(new ScriptedPeer(listener.accept()));
        byte[] up = Payload.bytes(81, 48 << 20);
        byte[] down = Payload.bytes(82, 48 << 20);
        assertTrue(client.sendUntilStalled(up, 0, up.length, Duration.ofMillis(300)) < up.length, "upload stalled");
        assertTrue(upstream.sendUntilStalled(down, 0, down.length, Duration.ofMillis(300)) < down.length,
                "download stalled");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
        ScriptedPeer.Observed atUpstream = upstream.readToEnd(Duration.ofSeconds(15));
        ScriptedPeer.Observed atClient = client.readToEnd(Duration.ofSeconds(15));
        closing.get(15, TimeUnit.SECONDS);
        assertEquals(ScriptedPeer.End.RESET, atUpstream.end(), "the upstream learns the upload was cut");
        assertEquals(ScriptedPeer.End.RESET, atClient.end(), "the client learns the download was cut");
        assertPrefix(up, atUpstream.bytes(), "upload");
        assertPrefix(down, atClient.bytes(), "download");
        events.awaitClosed(1, 10);
        assertEquals(ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT,
                ((ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
    }

    private static void assertPrefix(byte[] sent, byte[] got, String what) {
        assertTrue(got.length < sent.length, what + ": the cut came before the end");
        for (int i = 0; i < got.length; i++) {
            if (got[i] != sent[i]) {
                throw new AssertionError(what + ": byte " + i + " differs from what was sent");
            }
        }
    }

    // ---- silent, slow and stuck peers ----

    @Test
    void silentClientIsClosedAtTheIdleTimeout() throws Exception {
        CompletableFuture<String> upstreamEnd = new CompletableFuture<>();
        LoopbackServer server = upstream(socket -> upstreamEnd.complete(endOf(socket.getInputStream())));
        startProxy(server.address(), b -> b.idleTimeout(Duration.ofMillis(300)));
        Socket client = connectClient();
        client.setSoTimeout(10_000);
        assertEquals("reset", endOf(client.getInputStream()), "the client");
        assertEquals("reset", upstreamEnd.get(10, TimeUnit.SECONDS), "the upstream");
        events.awaitClosed(1, 10);
        assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                ((ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
    }

    /**
     * The idle checks of many pairs on one wheel: each silent pair is closed, never before the
     * timeout, and pairs with a byte every 100 ms are re-checked and kept, however often their
     * checks come round.
     */
    @Test
    void idleTimeoutClosesEachSilentPairAndKeepsTheActiveOnes() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        SelectorEchoServer echo = closeLater(SelectorEchoServer.start());
        startProxy(echo.address(), b -> b.idleTimeout(timeout));
        List<Socket> active = new ArrayList<>();
        List<Integer> silentPorts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            active.add(connectClient());
            silentPorts.add(connectClient().getLocalPort());
        }
        // 2.5 timeouts of one byte per active client every 100 ms: the pace is the test.
        for (int round = 0; round < 25; round++) {
            for (Socket client : active) {
                client.getOutputStream().write(round);
                assertEquals(round, client.getInputStream().read());
            }
            Thread.sleep(100);
        }
        events.awaitClosed(silentPorts.size(), 10);
        List<RecordingListener.Event> closed = events.of("closed");
        assertEquals(silentPorts.size(), closed.size(), "only the silent pairs closed");
        for (RecordingListener.Event e : closed) {
            assertTrue(silentPorts.contains(e.connection().client().getPort()), "closed an active pair: " + e);
            assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                    ((ProxyClosedConnectionException) e.cause()).reason());
            assertTrue(e.summary().duration().compareTo(timeout) >= 0, "closed before the timeout: " + e);
        }
    }

    /**
     * Slowloris: clients that send a byte now and then keep their connection alive past any
     * inactivity timeout, at L4 as at L7. What matters is what each costs: no buffer between its
     * bytes, so no more than any idle pair; and each byte arrives.
     */
    @Test
    void slowClientsHoldNoBufferBetweenTheirBytesAndEveryByteArrives() throws Exception {
        int clients = 50;
        int bytesEach = 10;
        SelectorEchoServer echo = closeLater(SelectorEchoServer.start());
        startProxy(echo.address(), b -> b.idleTimeout(Duration.ofSeconds(5)));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            slow.add(connectClient());
        }
        long buffersBefore = directBuffersOutOfThePool();
        long mostHeld = 0;
        for (int round = 0; round < bytesEach; round++) {
            for (int i = 0; i < clients; i++) {
                slow.get(i).getOutputStream().write(Payload.bytes(90_000 + i, bytesEach)[round]);
            }
            // One byte per client every 50 ms: the pace is the test, not a wait for a condition.
            Thread.sleep(50);
            mostHeld = Math.max(mostHeld, directBuffersOutOfThePool() - buffersBefore);
        }
        long allowed = clients / 2 + (long) clients * receiveBuffersHeldPerWaitingPair();
        assertTrue(mostHeld < allowed, mostHeld + " pooled buffers held between the bytes of " + clients
                + " slow clients (expected < " + allowed + ")");
        for (int i = 0; i < clients; i++) {
            Socket client = slow.get(i);
            client.shutdownOutput();
            assertEquals(Payload.sha256Of(90_000 + i, bytesEach),
                    Payload.readToEof(client.getInputStream(), 64).sha256(), "slow client " + i);
        }
        events.awaitClosed(clients, 10);
        events.of("closed").forEach(e -> assertNull(e.cause(), () -> "clean close expected: " + e));
    }

    @Test
    void upstreamThatNeverReadsCostsBoundedMemoryAndEndsAtTheIdleTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LoopbackServer server = upstream(socket -> release.await(30, TimeUnit.SECONDS)); // accepts, never reads
        // Long enough that the path fills (and is seen to stall) well before nothing has moved for it.
        startProxy(server.address(), b -> b.idleTimeout(Duration.ofSeconds(2)));
        long before = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        ScriptedPeer client = closeLater(new ScriptedPeer(SocketChannel.open(proxy.localAddress())));
        byte[] stream = Payload.bytes(95, 64 << 20);
        int sent = client.sendUntilStalled(stream, 0, stream.length, Duration.ofMillis(300));
        assertTrue(sent < stream.length, "the path filled up: the upstream reads nothing");
        long grown = proxy.stats().directMemoryUsed() - before;
        assertTrue(grown < SLOW_READER_MEMORY_BOUND, "proxy direct memory grew by " + grown
                + " B in front of an upstream that reads nothing (expected < " + SLOW_READER_MEMORY_BOUND + ")");
        assertEquals(ScriptedPeer.End.RESET, client.readToEnd(Duration.ofSeconds(10)).end(),
                "the client's connection ends once nothing moved for the idle timeout, with a reset:"
                        + " what it sent was still waiting in the proxy, so its stream was cut");
        events.awaitClosed(1, 10);
        assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                ((ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
        release.countDown();
    }

    /**
     * Twenty-four clients push at upstreams that read nothing, with the default water marks
     * (each direction may queue 64 KiB and a read): through a proxy with a 512 KiB direct-memory
     * budget, the bytes it queues stay near the budget, and a connection whose upstream reads
     * gets through meanwhile; through the same proxy without a budget they go well past it. Once
     * the upstreams read, every stream arrives whole. What is queued is read from the channels'
     * outbound buffers, not from the budget's own count.
     */
    @Test
    void memoryBudgetPausesTheDirectionsHoldingBytesAndLosesNothing() throws Exception {
        long budget = 512 << 10;
        int stalled = 24;
        long bound = budget + 2L * (ProxyBuilder.DEFAULT_HIGH_WATER_MARK + (64 << 10)) + (stalled + 1) * 2048L;
        long withBudget = mostQueuedWithStalledUpstreams(budget, stalled, true);
        assertTrue(withBudget <= bound * 11 / 10, "queued " + withBudget + " B with a budget of " + budget
                + " (expected <= " + bound + " + 10 %: the budget, the read burst of each of 2 event loops,"
                + " and a 2 KiB read per direction)");
        if (forwarding() == Forwarding.COPY) {
            assertTrue(proxy.stats().memoryBudgetPauses() > 0, "the budget paused someone: " + proxy.stats());
            proxy.close();
            long without = mostQueuedWithStalledUpstreams(ProxyBuilder.defaultDirectMemoryBudget(), stalled, false);
            assertTrue(without > bound * 11 / 10, "without the budget the same load queues more (" + without
                    + " B): otherwise this test shows nothing");
        }
    }

    /**
     * Starts a proxy with {@code budget}, has {@code stalled} clients push 1 MiB each at upstreams
     * that do not read, samples what the proxy queues, then lets the upstreams read and checks
     * every stream. Returns the most queued.
     */
    private long mostQueuedWithStalledUpstreams(long budget, int stalled, boolean withReadingConnection)
            throws Exception {
        StalledUpstreams upstreams = new StalledUpstreams();
        LoopbackServer server = upstream(upstreams);
        // Small kernel buffers, so that what waits, waits in the proxy's buffers.
        startProxy(server.address(), b -> b.directMemoryBudget(budget)
                .socketOption(TcpOption.SO_SNDBUF, 32 << 10)
                .socketOption(TcpOption.SO_RCVBUF, 32 << 10));
        int length = 1 << 20;
        List<CompletableFuture<String>> sent = new ArrayList<>();
        for (int tag = 0; tag < stalled; tag++) {
            sent.add(StalledUpstreams.sendTaggedAsync(connectClient(), tag, 700 + tag, length));
        }
        long most = StalledUpstreams.mostQueuedOver(proxy, Duration.ofMillis(1500));
        if (withReadingConnection) {
            Socket reading = connectClient();
            String readingSent = StalledUpstreams.sendTaggedAsync(reading, StalledUpstreams.READING, 799, 2 << 20)
                    .get(30, TimeUnit.SECONDS);
            Payload.Received readingGot = upstreams.received(StalledUpstreams.READING).get(30, TimeUnit.SECONDS);
            assertEquals(2 << 20, readingGot.length(), "a connection whose upstream reads is not held back");
            assertEquals(readingSent, readingGot.sha256());
            most = Math.max(most, StalledUpstreams.mostQueuedOver(proxy, Duration.ofMillis(300)));
        }
        upstreams.release();
        for (int tag = 0; tag < stalled; tag++) {
            String expected = sent.get(tag).get(60, TimeUnit.SECONDS);
            Payload.Received got = upstreams.received(tag).get(60, TimeUnit.SECONDS);
            assertEquals(length, got.length(), "stream " + tag);
            assertEquals(expected, got.sha256(), "stream " + tag);
        }
        Await.until(() -> proxy.stats().bytesQueued() == 0, Duration.ofSeconds(10),
                () -> "nothing counted once every sink read: " + proxy.stats());
        return most;
    }

    // ---- helpers ----

    /** The connection was reported once, cleanly, with these byte counts. */
    protected void assertCleanClose(long fromClient, long fromUpstream) throws InterruptedException {
        events.awaitClosed(1, 10);
        assertEquals(1, events.of("opened").size());
        assertEquals(1, events.of("connected").size());
        assertEquals(1, events.of("closed").size());
        RecordingListener.Event closed = events.of("closed").get(0);
        assertNull(closed.cause(), () -> "clean close expected, got " + closed.cause());
        assertEquals(fromClient, closed.summary().bytesFromClient(), "bytes from client");
        assertEquals(fromUpstream, closed.summary().bytesFromUpstream(), "bytes from upstream");
        ProxyStats stats = proxy.stats();
        assertEquals(fromClient, stats.bytesFromClients());
        assertEquals(fromUpstream, stats.bytesFromUpstreams());
        verifyForwardingPath(stats, fromClient + fromUpstream);
    }

    /**
     * Checks which path the bytes took. The default insists COPY moved everything through
     * buffers; a splice-capable suite overrides it to prove the kernel moved them.
     */
    protected void verifyForwardingPath(ProxyStats stats, long total) {
        assertEquals(total, stats.bytesSpliced() + stats.bytesCopied(), "every byte went one way or the other");
        if (forwarding() == Forwarding.COPY) {
            assertEquals(0, stats.bytesSpliced(), "COPY must not splice");
            return;
        }
        if (total == 0) {
            return;
        }
        // Through a buffer may go only what splice leaves behind at each direction's end of
        // stream (at most a socket receive queue) and, with AUTO, the bytes before the switch.
        long copyBeforeSplice = forwarding() == Forwarding.AUTO ? proxy.config().spliceThreshold() : 0;
        long allowedCopy = 2 * (copyBeforeSplice + receiveBufferMax());
        if (total > 2 * copyBeforeSplice) {
            assertTrue(stats.bytesSpliced() > 0, "nothing was spliced: " + stats);
        }
        assertTrue(stats.bytesCopied() <= allowedCopy,
                stats.bytesCopied() + " B went through buffers (expected <= " + allowedCopy + "): " + stats);
    }

    /** The most a TCP receive queue can hold here: the third field of net.ipv4.tcp_rmem. */
    private static long receiveBufferMax() {
        try {
            // readAllLines, not readString: procfs reports size 0 and JDK 17's readString then
            // returns only the first byte.
            String[] fields = Files.readAllLines(Path.of("/proc/sys/net/ipv4/tcp_rmem")).get(0).trim().split("\\s+");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/sys/net/ipv4/tcp_rmem", e);
        }
    }

    /** Reads {@code socket} to EOF on another thread. */
    protected static CompletableFuture<Payload.Received> readAsync(Socket socket, int maxChunk) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Payload.readToEof(socket.getInputStream(), maxChunk);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "test-reader");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Reads {@code in} to its end: "EOF", or "reset" when the read fails (ECONNRESET). */
    protected static String endOf(InputStream in) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            return "EOF";
        } catch (SocketTimeoutException timeout) {
            throw timeout;
        } catch (SocketException reset) {
            return "reset";
        }
    }

    /** The connection ends (EOF or reset) within {@code seconds}, whatever was still in flight. */
    protected static void assertEndsWithin(Socket socket, int seconds) throws IOException {
        socket.setSoTimeout(seconds * 1000);
        try {
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (SocketException reset) {
            // Ended by a reset: also an end.
            assertTrue(reset.getMessage() != null, "reset");
        }
    }
}
