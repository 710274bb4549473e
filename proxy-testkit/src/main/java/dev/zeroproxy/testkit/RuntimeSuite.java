package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import dev.zeroproxy.internal.ProxyServer;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several proxies on one {@link ProxyRuntime}, written once and run for every transport ×
 * forwarding mode: they relay at once on the shared loops, byte for byte; closing one leaves the
 * loops to the others, closing the runtime stops them; the runtime's connection limit counts
 * every proxy's connections and holds the next client in the backlog; and a proxy cannot start
 * on a closed runtime, nor with loops or a transport other than the runtime's. The servers are
 * {@link TaggedServer}s, so each client knows which proxy's server it reached.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RuntimeSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<TaggedServer> servers = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();
    private ProxyRuntime runtime;

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
            for (Proxy proxy : proxies) {
                Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                        Duration.ofSeconds(10), () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            try {
                for (TaggedServer server : servers) {
                    server.close();
                }
            } finally {
                proxies.forEach(Proxy::close);
                if (runtime != null) {
                    runtime.close();
                }
            }
        }
    }

    private ProxyRuntime startRuntime(int maxConnections) {
        runtime = ProxyRuntime.builder().transport(transport()).eventLoops(2).maxConnections(maxConnections).start();
        return runtime;
    }

    private ProxyBuilder onRuntime(TaggedServer server) {
        return Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(server.address())
                .runtime(runtime)
                .forwarding(forwarding())
                .drainTimeout(Duration.ZERO);
    }

    private Proxy startOnRuntime(TaggedServer server) {
        Proxy proxy = onRuntime(server).start();
        proxies.add(proxy);
        return proxy;
    }

    private TaggedServer server(int tag) throws IOException {
        TaggedServer server = TaggedServer.start(tag);
        servers.add(server);
        return server;
    }

    /** A client connected through {@code proxy} that has read its server's tag. */
    private Socket connect(Proxy proxy, int expectedTag) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.setTcpNoDelay(true);
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals(expectedTag, socket.getInputStream().read(), "the tag of the proxy's own server");
        return socket;
    }

    /** Through {@code proxy}: connects, checks the tag, echoes {@code bytes} random bytes compared by SHA-256, ends cleanly. */
    private static void transfer(Proxy proxy, int tag, long seed, long bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(proxy.localAddress(), 5_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            assertEquals(tag, socket.getInputStream().read(), "the tag of the proxy's own server");
            // Written on another thread while this one reads the echo: more than the buffers on the way hold.
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return Payload.write(socket.getOutputStream(), seed, bytes, 16 * 1024);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> daemon().newThread(runnable).start());
            String echoed = Payload.readExactly(socket.getInputStream(), bytes);
            assertEquals(sent.join(), echoed, "echoed byte for byte");
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "a clean end");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return runnable -> {
            Thread thread = new Thread(runnable, "runtime-suite-client");
            thread.setDaemon(true);
            return thread;
        };
    }

    private static boolean refusesConnections(InetSocketAddress address) {
        try (Socket probe = new Socket()) {
            probe.connect(address, 2_000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    @Test
    void twoProxiesOnOneRuntimeRelayAtOnceByteForByte() throws Exception {
        startRuntime(0);
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        Proxy first = startOnRuntime(a);
        Proxy second = startOnRuntime(b);
        assertSame(runtime, first.config().runtime().orElseThrow());
        assertEquals(transport().name(), first.config().transport().name());
        assertEquals(2, second.config().eventLoops());
        ExecutorService clientsPool = Executors.newFixedThreadPool(8, daemon());
        try {
            List<Future<?>> transfers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Proxy proxy = i % 2 == 0 ? first : second;
                int tag = i % 2 == 0 ? 'a' : 'b';
                long seed = i;
                transfers.add(clientsPool.submit(() -> {
                    transfer(proxy, tag, seed, 2L << 20);
                    return null;
                }));
            }
            for (Future<?> transfer : transfers) {
                transfer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            clientsPool.shutdownNow();
        }
        assertEquals(4L * (2L << 20), a.received());
        assertEquals(4L * (2L << 20), b.received());
        // The same loops: each proxy's listeners run on the runtime's threads, none of its own.
        EventLoop firstLoop = ((ProxyServer) first).serverChannels().get(0).eventLoop();
        EventLoop secondLoop = ((ProxyServer) second).serverChannels().get(0).eventLoop();
        assertSame(firstLoop.parent(), secondLoop.parent(), "one event loop group for both");
    }

    @Test
    void closingOneProxyLeavesTheLoopsServingTheOtherAndClosingTheRuntimeStopsThem() throws Exception {
        startRuntime(0);
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        Proxy first = startOnRuntime(a);
        Proxy second = startOnRuntime(b);
        Socket open = connect(second, 'b');
        EventLoop loop = ((ProxyServer) first).serverChannels().get(0).eventLoop();
        first.close();
        assertFalse(loop.isShuttingDown(), "the runtime's loops run on after one proxy closed");
        // NIO closes a listening socket's descriptor at the loop's next select, not in close().
        Await.until(() -> refusesConnections(first.localAddress()), PATIENCE, () -> "the closed proxy stops listening");
        transfer(second, 'b', 1, 1L << 20);
        open.getOutputStream().write(7);
        assertEquals(7, open.getInputStream().read(), "a connection open through the other proxy goes on");
        open.shutdownOutput();
        assertEquals(-1, open.getInputStream().read());

        second.close();
        assertFalse(loop.isShuttingDown(), "still running with no proxy at all");
        runtime.close();
        assertTrue(loop.isTerminated(), "the runtime's close stops its loops");
        runtime.close(); // idempotent
    }

    @Test
    void theRuntimeLimitHoldsTheNextClientInTheBacklogAcrossTwoProxiesUntilOneCloses() throws Exception {
        startRuntime(3);
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        Proxy first = startOnRuntime(a);
        Proxy second = startOnRuntime(b);
        Socket onFirst = connect(first, 'a');
        connect(first, 'a');
        connect(second, 'b');
        assertEquals(3, runtime.openConnections());
        Socket waiting = new Socket();
        clients.add(waiting);
        waiting.connect(second.localAddress(), 5_000);
        waiting.getOutputStream().write(42);
        waiting.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read(),
                "not accepted while the runtime holds 3 connections, though its proxy holds 1");
        assertEquals(1, b.accepted());

        onFirst.close();
        waiting.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals('b', waiting.getInputStream().read(), "accepted once a connection of the other proxy closed");
        assertEquals(42, waiting.getInputStream().read(), "with what it sent while it waited");
        Await.until(() -> runtime.openConnections() == 3, PATIENCE, () -> "3 open: " + runtime.openConnections());
    }

    @Test
    void closingTheRuntimeUnderAnOpenProxyClosesItCuttingItsConnectionsAndStoppingItsUpstream() throws Exception {
        startRuntime(0);
        TaggedServer a = server('a');
        CountingUpstream upstream = CountingUpstream.to(a.address());
        RecordingListener events = new RecordingListener();
        Proxy proxy = onRuntime(a).upstream(upstream).listener(events).drainTimeout(Duration.ofSeconds(30)).start();
        proxies.add(proxy);
        Socket open = connect(proxy, 'a');
        open.getOutputStream().write(7);
        assertEquals(7, open.getInputStream().read());

        long closing = System.nanoTime();
        runtime.close();
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closing) < 10, "no drain of 30 s");
        assertFalse(proxy.isAccepting(), "the proxy closed with its runtime");
        assertEquals(1, upstream.stops(), "and stopped its upstream");
        assertEquals("reset", endOf(open), "its connection was cut");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT,
                ((ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
        Await.until(() -> a.open() == 0, PATIENCE, () -> "the upstream side closed too");
        proxy.close(); // closed already: returns at once
        assertEquals(1, upstream.stops(), "stopped once");
    }

    /** Reads to the end: "EOF", or "reset" when the read fails. */
    private static String endOf(Socket socket) throws IOException {
        try {
            socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return "EOF";
        } catch (SocketTimeoutException stillOpen) {
            throw stillOpen;
        } catch (java.net.SocketException reset) {
            return "reset";
        }
    }

    @Test
    void aProxyCannotStartOnAClosedRuntime() throws Exception {
        startRuntime(0);
        TaggedServer a = server('a');
        runtime.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> onRuntime(a).start());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(e.getMessage().contains(runtime.toString()), "names the runtime: " + e.getMessage());
    }

    @Test
    void loopsOrATransportOtherThanTheRuntimesAreInvalidSettings() throws Exception {
        startRuntime(0);
        TaggedServer a = server('a');
        InvalidSettingException loops = assertThrows(InvalidSettingException.class,
                () -> onRuntime(a).eventLoops(3).start());
        assertEquals("eventLoops", loops.setting());
        assertEquals(3, loops.value());
        assertTrue(loops.getMessage().contains("the runtime's, 2"), loops.getMessage());
        // The runtime's own count, said again, is no conflict.
        proxies.add(onRuntime(a).eventLoops(2).start());
        Transport other = Transport.all().stream()
                .filter(t -> !t.name().equals(transport().name())).findFirst().orElse(null);
        if (other != null) {
            assertNotSame(transport(), other);
            InvalidSettingException transportRefused = assertThrows(InvalidSettingException.class,
                    () -> onRuntime(a).transport(other).start());
            assertEquals("transport", transportRefused.setting());
            assertEquals(other.name(), transportRefused.value());
            assertTrue(transportRefused.getMessage().contains("the runtime's, " + transport().name()),
                    transportRefused.getMessage());
        }
    }
}
