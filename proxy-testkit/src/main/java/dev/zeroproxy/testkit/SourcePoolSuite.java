package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import dev.zeroproxy.edge.SourcePool;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Source-address pools through a real proxy, written once and run for every transport (like
 * {@link RelaySuite}): the upstream, on 127.0.0.1, records the address each connection comes
 * from, and the test checks it against the pool (127.0.0.2 to 127.0.0.5) and its mode, or
 * against a server's own source ({@code ServerSpec.source}, {@code UpstreamLease.sourceAddress}),
 * which wins over the pool. Each connection carries a random payload, echoed and compared by
 * SHA-256, so a bound source does not cost the relay anything.
 *
 * <p>Needs the whole of 127.0.0.0/8 on the loopback interface (Linux has it; macOS only
 * 127.0.0.1), and skips saying so otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SourcePoolSuite {
    private static final int PAYLOAD = 32 * 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final BlockingQueue<InetAddress> upstreamSaw = new LinkedBlockingQueue<>();
    private LoopbackServer upstream;
    /** Further upstreams of a test, closed after the proxy. */
    private final List<LoopbackServer> others = new ArrayList<>();
    private Proxy proxy;
    private long seed;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    @BeforeEach
    void startUpstream() throws IOException {
        TransportAssumptions.assumeAvailable(transport());
        assumeTrue(bindable(loopback(2)) && bindable(loopback(5)) && bindable(loopback(17)),
                "127.0.0.2-17 cannot be bound here: the loopback interface holds only 127.0.0.1");
        upstream = LoopbackServer.start(socket -> {
            upstreamSaw.add(socket.getInetAddress());
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            in.transferTo(out);
            socket.shutdownOutput();
        });
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            if (proxy != null) {
                Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                        PATIENCE, () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (upstream != null) {
                upstream.close();
            }
            for (LoopbackServer other : others) {
                other.close();
            }
        }
    }

    @Test
    void roundRobinPoolUsesEachSourceInTurn() throws Exception {
        SourcePool pool = SourcePool.roundRobin(loopback(2), loopback(3), loopback(4), loopback(5));
        startProxy(pool);
        List<InetAddress> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seen.add(relayOnceFrom(null));
        }
        // One connect at a time: the proxy-wide turn is exactly the pool's order, twice.
        List<InetAddress> expected = new ArrayList<>(pool.addresses());
        expected.addAll(pool.addresses());
        assertEquals(expected, seen);
    }

    @Test
    void clientHashKeepsEachClientOnOneSource() throws Exception {
        SourcePool pool = SourcePool.clientHash(loopback(2), loopback(3), loopback(4), loopback(5));
        startProxy(pool);
        Map<InetAddress, Set<InetAddress>> sourcesOf = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int c = 10; c <= 17; c++) {
                InetAddress client = loopback(c);
                sourcesOf.computeIfAbsent(client, k -> new HashSet<>()).add(relayOnceFrom(client));
            }
        }
        Set<InetAddress> used = new HashSet<>();
        sourcesOf.forEach((client, sources) -> {
            assertEquals(Set.of(pool.pick(new InetSocketAddress(client, 1))), sources,
                    "the sources of client " + client.getHostAddress() + " (expected: always its own one)");
            used.addAll(sources);
        });
        assertTrue(pool.addresses().containsAll(used), "sources " + used + " (expected: within " + pool + ")");
        assertTrue(used.size() >= 2, "sources " + used + " for 8 clients (expected: spread over more than one)");
    }

    @Test
    void singleSourcePoolIsTheOnlySourceSeen() throws Exception {
        startProxy(SourcePool.roundRobin(loopback(3)));
        for (int i = 0; i < 3; i++) {
            assertEquals(loopback(3), relayOnceFrom(loopback(9)));
        }
    }

    @Test
    void withoutPoolTheKernelPicksTheSource() throws Exception {
        startProxy(null);
        // 127.0.0.1 is the kernel's choice towards 127.0.0.1, whatever the client's address.
        assertEquals(loopback(1), relayOnceFrom(loopback(9)));
    }

    @Test
    void aServerWithASourceOfItsOwnIsReachedFromItAndTheOthersFromThePool() throws Exception {
        BlockingQueue<InetAddress> otherSaw = new LinkedBlockingQueue<>();
        LoopbackServer other = recordingServer(otherSaw);
        UpstreamGroup group = UpstreamGroup.builder("sourced")
                .server(ServerSpec.of("own", upstream.address()).source(loopback(2)))
                .server(ServerSpec.of("pooled", other.address()))
                .build();
        startProxy(group, SourcePool.roundRobin(loopback(3)));
        // Round robin: own, pooled, own, pooled.
        for (int i = 0; i < 4; i++) {
            relay(null);
        }
        assertEquals(List.of(loopback(2), loopback(2)), taken(upstreamSaw, 2), "the server's own source wins");
        assertEquals(List.of(loopback(3), loopback(3)), taken(otherSaw, 2), "the pool for a server without one");
    }

    @Test
    void aServersChecksLeaveFromItsOwnSourceAsItsConnectionsDo() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("checked")
                .server(ServerSpec.of("own", upstream.address()).source(loopback(6))
                        .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(50)).build()))
                .build();
        startProxy(group, SourcePool.roundRobin(loopback(3)));
        // No client yet: what the server sees are the checks' connects (HAProxy's checks use the source too).
        for (int i = 0; i < 3; i++) {
            InetAddress checkedFrom = upstreamSaw.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(loopback(6), checkedFrom, "check " + i + " came from the server's source");
        }
    }

    @Test
    void aLeaseWithASourceAddressIsConnectedFromItWithoutAPool() throws Exception {
        UpstreamLease sourced = new UpstreamLease() {
            @Override
            public InetSocketAddress address() {
                return upstream.address();
            }

            @Override
            public InetAddress sourceAddress() {
                return loopback(4);
            }
        };
        startProxy(new Upstream() {
            @Override
            public void select(UpstreamAttempt attempt) {
                attempt.connect(sourced);
            }
        }, null);
        for (int i = 0; i < 3; i++) {
            assertEquals(loopback(4), relayOnceFrom(loopback(9)));
        }
    }

    private LoopbackServer recordingServer(BlockingQueue<InetAddress> saw) throws IOException {
        LoopbackServer server = LoopbackServer.start(socket -> {
            saw.add(socket.getInetAddress());
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        });
        others.add(server);
        return server;
    }

    private static List<InetAddress> taken(BlockingQueue<InetAddress> saw, int count) throws InterruptedException {
        List<InetAddress> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            InetAddress source = saw.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(source, "the upstream recorded " + i + " of " + count + " connections");
            taken.add(source);
        }
        assertEquals(null, saw.poll(), "no more connections than relayed");
        return taken;
    }

    private void startProxy(SourcePool pool) {
        startProxy(Upstream.of(upstream.address()), pool);
    }

    private void startProxy(Upstream to, SourcePool pool) {
        proxy = Proxy.builder()
                .listen(new InetSocketAddress(loopback(1), 0))
                .upstream(to)
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .sourcePool(pool)
                .start();
        assertEquals(pool, proxy.config().sourcePool().orElse(null));
    }

    /**
     * Relays one random payload from a client bound to {@code client} (any address if null), and
     * returns the source address the upstream saw for it.
     */
    private InetAddress relayOnceFrom(InetAddress client) throws Exception {
        relay(client);
        InetAddress source = upstreamSaw.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(source, "the upstream recorded no connection");
        return source;
    }

    /** Relays one random payload from a client bound to {@code client} (any address if null). */
    private void relay(InetAddress client) throws Exception {
        long payloadSeed = ++seed;
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            if (client != null) {
                socket.bind(new InetSocketAddress(client, 0));
            }
            socket.connect(proxy.localAddress(), (int) PATIENCE.toMillis());
            String sent = Payload.write(socket.getOutputStream(), payloadSeed, PAYLOAD, 4096);
            assertEquals(sent, Payload.readExactly(socket.getInputStream(), PAYLOAD), "echoed payload");
        }
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
