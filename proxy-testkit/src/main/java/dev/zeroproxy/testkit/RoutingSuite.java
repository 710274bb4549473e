package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Upstream#route} and {@link Upstream#connectTimeout} through a real proxy, written once
 * and run for every transport × forwarding mode: the route is asked once per connection and the
 * upstream it names serves every attempt of it, with its own retries and its own connect
 * timeout (a group's too); a route that fails refuses the connection as a failed select does.
 * The servers are {@link TaggedServer}s; payloads are random and compared by SHA-256.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RoutingSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<TaggedServer> servers = new ArrayList<>();
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
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
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
            }
        }
    }

    private void startProxy(Upstream upstream, Consumer<ProxyBuilder> settings) {
        events = new RecordingListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(builder);
        proxy = builder.start();
    }

    private TaggedServer server(int tag) throws IOException {
        TaggedServer server = TaggedServer.start(tag);
        servers.add(server);
        return server;
    }

    /** An address nothing listens on: a connect to it is refused. */
    private static InetSocketAddress refusing() throws IOException {
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) gone.getLocalSocketAddress();
        }
    }

    /**
     * From {@code source} (any when null): connects, reads the tag, echoes {@code bytes} random
     * bytes compared by SHA-256, half-closes and expects a clean end. Returns the tag.
     */
    private int transfer(InetAddress source, long seed, int bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.connect(proxy.localAddress(), 5_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            InputStream in = socket.getInputStream();
            int tag = in.read();
            String sent = Payload.write(socket.getOutputStream(), seed, bytes, 4096);
            assertEquals(sent, Payload.readExactly(in, bytes), "echoed byte for byte");
            socket.shutdownOutput();
            assertEquals(-1, in.read(), "a clean end");
            return tag;
        }
    }

    /** An upstream that only routes: selecting from it is a bug of the proxy. */
    private static final class Router implements Upstream {
        final AtomicInteger routes = new AtomicInteger();
        final AtomicInteger selects = new AtomicInteger();
        final Function<ConnectionInfo, Upstream> choice;

        Router(Function<ConnectionInfo, Upstream> choice) {
            this.choice = choice;
        }

        @Override
        public Upstream route(ConnectionInfo connection) {
            routes.incrementAndGet();
            return choice.apply(connection);
        }

        @Override
        public void select(UpstreamAttempt attempt) {
            selects.incrementAndGet();
            attempt.refuse(new IllegalStateException("the router itself was selected"));
        }
    }

    @Test
    void theRouteIsAskedOncePerConnectionAndTheRoutedUpstreamServesEveryAttempt() throws Exception {
        TaggedServer good = server('g');
        InetSocketAddress refused = refusing();
        AtomicInteger targetSelects = new AtomicInteger();
        // Each connection's first attempt is refused; its one retry goes to the good server.
        Upstream target = new Upstream() {
            @Override
            public void select(UpstreamAttempt attempt) {
                targetSelects.incrementAndGet();
                InetSocketAddress to = attempt.number() == 1 ? refused : good.address();
                attempt.connect(() -> to);
            }

            @Override
            public int retries() {
                return 1;
            }
        };
        Router router = new Router(connection -> target);
        startProxy(router, b -> { });
        int connections = 6;
        for (int i = 0; i < connections; i++) {
            assertEquals('g', transfer(null, i, 16 * 1024));
        }
        assertEquals(connections, router.routes.get(), "asked once per connection");
        assertEquals(0, router.selects.get(), "the router is never selected from");
        assertEquals(2 * connections, targetSelects.get(), "the routed upstream's retries: two attempts each");
        Await.until(() -> events.of("closed").size() == connections, PATIENCE, () -> "all closed");
        assertEquals(connections, events.of("attemptFailed").size());
        assertEquals(List.of(), events.of("connectFailed"));
    }

    @Test
    void routingByTheClientsAddressSendsEachClientToItsOwnUpstream() throws Exception {
        InetAddress two = loopback(2);
        InetAddress three = loopback(3);
        assumeTrue(bindable(two) && bindable(three), "127.0.0.2-3 cannot be bound here");
        TaggedServer a = server('a');
        TaggedServer b = server('b');
        Upstream toA = Upstream.of(a.address());
        Upstream toB = Upstream.of(b.address());
        startProxy(new Router(connection -> connection.client().getAddress().equals(two) ? toA : toB), s -> { });
        for (int i = 0; i < 4; i++) {
            assertEquals('a', transfer(two, 10 + i, 8 * 1024), "127.0.0.2 goes to a");
            assertEquals('b', transfer(three, 20 + i, 8 * 1024), "127.0.0.3 goes to b");
        }
        assertEquals(4, a.accepted());
        assertEquals(4, b.accepted());
    }

    @Test
    void theRoutedUpstreamsConnectTimeoutReplacesTheProxys() throws Exception {
        InetSocketAddress silent = fullBacklog();
        Duration own = Duration.ofMillis(250);
        Upstream slow = new Upstream() {
            @Override
            public void select(UpstreamAttempt attempt) {
                attempt.connect(() -> silent);
            }

            @Override
            public int retries() {
                return 1;
            }

            @Override
            public Optional<Duration> connectTimeout() {
                return Optional.of(own);
            }
        };
        startProxy(new Router(connection -> slow), b -> b.connectTimeout(Duration.ofSeconds(30)));
        long started = System.nanoTime();
        assertRefused();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis >= 2 * own.toMillis() - 20 && tookMillis < 10_000,
                "two attempts of 250 ms each, not the proxy's 30 s: " + tookMillis + " ms");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(1, events.of("attemptFailed").size(), "the first attempt timed out, then the retry");
        assertInstanceOf(ConnectTimeoutException.class, events.of("connectFailed").get(0).cause());
    }

    @Test
    void aGroupsConnectTimeoutReplacesTheProxys() throws Exception {
        InetSocketAddress silent = fullBacklog();
        UpstreamGroup group = UpstreamGroup.builder("slow").server("s", silent).retries(0)
                .connectTimeout(Duration.ofMillis(300)).build();
        assertEquals(Optional.of(Duration.ofMillis(300)), group.connectTimeout());
        startProxy(group, b -> b.connectTimeout(Duration.ofSeconds(30)));
        long started = System.nanoTime();
        assertRefused();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis >= 280 && tookMillis < 10_000, "the group's 300 ms, not 30 s: " + tookMillis + " ms");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertInstanceOf(ConnectTimeoutException.class, events.of("connectFailed").get(0).cause());
    }

    @Test
    void aRouteThatThrowsRefusesTheConnectionWithAReset() throws Exception {
        TaggedServer a = server('a');
        IllegalStateException broken = new IllegalStateException("no route");
        Router router = new Router(connection -> {
            if (connection.id() % 2 == 1) {
                throw broken;
            }
            return Upstream.of(a.address());
        });
        startProxy(router, b -> { });
        assertRefused();
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(1, events.of("connectFailed").size(), "reported as a connection no upstream took");
        assertSame(broken, events.of("connectFailed").get(0).cause());
        assertEquals(1, proxy.stats().upstreamConnectFailures());
        assertEquals(0, a.accepted());
        assertEquals('a', transfer(null, 1, 4096), "the next connection is routed");
    }

    @Test
    void aRouteToNothingRefusesTheConnectionWithAReset() throws Exception {
        startProxy(new Router(connection -> null), b -> { });
        assertRefused();
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(1, events.of("connectFailed").size());
        assertInstanceOf(NullPointerException.class, events.of("connectFailed").get(0).cause());
    }

    /** A client sends a byte and is reset, never answered nor given a clean EOF. */
    private void assertRefused() throws IOException {
        assertThrows(SocketException.class, () -> {
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5_000);
                client.setSoTimeout((int) PATIENCE.toMillis());
                client.getOutputStream().write(1);
                while (client.getInputStream().read() >= 0) {
                    // nothing may come
                }
                throw new AssertionError("a clean EOF instead of a reset");
            }
        });
    }

    /**
     * A listener whose accept queue is full, so that the kernel drops further SYNs and a connect
     * to it times out (see {@link LoopbackServer#neverAccepting()}).
     */
    private InetSocketAddress fullBacklog() throws IOException {
        LoopbackServer full = LoopbackServer.neverAccepting();
        toClose.add(full);
        for (int i = 0; i < 4; i++) {
            SocketChannel filler = SocketChannel.open();
            toClose.add(filler);
            filler.configureBlocking(false);
            filler.connect(full.address());
        }
        return full.address();
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean bindable(InetAddress address) {
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
