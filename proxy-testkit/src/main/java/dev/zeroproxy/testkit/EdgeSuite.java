package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.edge.ProxyTlv;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's edges through a real proxy, written once and run for every transport × mode. The
 * PROXY protocol: a header accepted in one read with the payload, in two reads, byte by byte;
 * refused when untrusted, malformed, late, or with a wrong CRC32C; LOCAL; a round trip through
 * two proxies, the first sending (v1 and v2), the second accepting, with the original client
 * preserved. Access rules in their order, and the per-source limits, each refusal a reset that
 * reaches no upstream. Payloads are random and compared byte for byte; after each test no channel is left
 * and (paranoid leak detection) no buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EdgeSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final InetSocketAddress REAL_CLIENT = new InetSocketAddress(address(192, 0, 2, 7), 51_000);
    private static final InetSocketAddress REAL_DESTINATION = new InetSocketAddress(address(198, 51, 100, 1), 443);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();

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
        // Clients first; then the proxies must come to hold nothing (which lets the upstreams'
        // handlers see their ends); only then the upstream servers, whose close would otherwise
        // cut a handler still reading and count that as a failure of the peer.
        try {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                if (!(toClose.get(i) instanceof LoopbackServer)) {
                    toClose.get(i).close();
                }
            }
            for (Proxy proxy : proxies) {
                Await.until(() -> proxy.stats().openChannels() == 0, Duration.ofSeconds(10),
                        () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            try {
                for (AutoCloseable resource : toClose) {
                    if (resource instanceof LoopbackServer) {
                        resource.close();
                    }
                }
            } finally {
                proxies.forEach(Proxy::close);
            }
        }
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Proxy start(InetSocketAddress upstream, RecordingListener events, Consumer<ProxyBuilder> settings) {
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream)
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(builder);
        Proxy proxy = builder.start();
        proxies.add(proxy);
        return proxy;
    }

    private Socket connect(Proxy proxy) throws IOException {
        Socket socket = new Socket();
        toClose.add(socket);
        socket.setTcpNoDelay(true);
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    /** An echo upstream that counts the connections it accepted. */
    private LoopbackServer echo(AtomicInteger accepted) throws IOException {
        LoopbackServer server = LoopbackServer.start(socket -> {
            accepted.incrementAndGet();
            LoopbackServer.echoUntilEof(socket);
        });
        toClose.add(server);
        return server;
    }

    /** Sends {@code payload}, reads its echo, half-closes and expects a clean end. */
    private static void echoes(Socket client, byte[] payload) throws IOException {
        client.getOutputStream().write(payload);
        assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length), "echoed byte for byte");
        client.shutdownOutput();
        assertEquals(-1, client.getInputStream().read(), "a clean end");
    }

    private static ProxyProtocolAccept trustLoopback() {
        return ProxyProtocolAccept.from("127.0.0.0/8");
    }

    private static ConnectionInfo connected(RecordingListener events) {
        Await.until(() -> !events.of("connected").isEmpty(), PATIENCE, () -> "the upstream connected");
        return events.of("connected").get(0).connection();
    }

    // ---- accepted ----

    @Test
    void aV1HeaderAndThePayloadInOneWriteReachTheUpstreamInOrder() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        Socket client = connect(proxy);
        byte[] payload = Payload.bytes(1, 256 * 1024);
        client.getOutputStream().write(ProxyHeaders.concat(ProxyHeaders.v1(REAL_CLIENT, REAL_DESTINATION),
                java.util.Arrays.copyOf(payload, 1000)));
        assertArrayEquals(java.util.Arrays.copyOf(payload, 1000), client.getInputStream().readNBytes(1000),
                "the bytes that followed the header in the same read, first and in order");
        echoes(client, java.util.Arrays.copyOfRange(payload, 1000, payload.length));
        ConnectionInfo info = connected(events);
        assertEquals(REAL_CLIENT, info.originalClient());
        assertEquals(REAL_DESTINATION, info.originalDestination().orElseThrow());
        assertEquals(1, info.proxyHeader().version());
    }

    @Test
    void aV2HeaderWithTlvsAndAGoodChecksumArrivingByteByByteIsAccepted() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        Socket client = connect(proxy);
        byte[] header = ProxyHeaders.v2(REAL_CLIENT, REAL_DESTINATION, true,
                ProxyTlv.AUTHORITY, "db.example".getBytes(StandardCharsets.UTF_8),
                ProxyTlv.UNIQUE_ID, new byte[] {1, 2, 3, 4}, 0xE0, new byte[] {42});
        for (byte b : header) {
            client.getOutputStream().write(b);
            client.getOutputStream().flush();
            TimeUnit.MILLISECONDS.sleep(1);
        }
        echoes(client, Payload.bytes(2, 64 * 1024));
        ConnectionInfo info = connected(events);
        assertEquals(REAL_CLIENT, info.originalClient());
        assertEquals("db.example", info.proxyHeader().tlv(ProxyTlv.AUTHORITY).orElseThrow().text());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, info.proxyHeader().tlv(ProxyTlv.UNIQUE_ID).orElseThrow().value());
        assertArrayEquals(new byte[] {42}, info.proxyHeader().tlv(0xE0).orElseThrow().value());
    }

    @Test
    void aV2HeaderInTwoWritesThenThePayloadIsAccepted() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        Socket client = connect(proxy);
        byte[] header = ProxyHeaders.v2(REAL_CLIENT, REAL_DESTINATION, false);
        client.getOutputStream().write(header, 0, 10);
        TimeUnit.MILLISECONDS.sleep(50);
        client.getOutputStream().write(header, 10, header.length - 10);
        echoes(client, Payload.bytes(3, 1 << 20));
        assertEquals(REAL_CLIENT, connected(events).originalClient());
    }

    @Test
    void aLocalHeaderKeepsTheSocketPeerAsTheClient() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        Socket client = connect(proxy);
        client.getOutputStream().write(ProxyHeaders.v2Local());
        echoes(client, Payload.bytes(4, 4096));
        ConnectionInfo info = connected(events);
        assertTrue(info.proxyHeader().local());
        assertEquals(info.client(), info.originalClient());
    }

    @Test
    void aClientBehindAHeaderIsCountedFromItsFirstPayloadByteAndNotCutAsIdle() throws Exception {
        RecordingListener events = new RecordingListener();
        LoopbackServer sink = LoopbackServer.start(socket -> {
            socket.getInputStream().readAllBytes();
            socket.shutdownOutput();
        });
        toClose.add(sink);
        Proxy proxy = start(sink.address(), events,
                b -> b.acceptProxyProtocol(trustLoopback()).idleTimeout(Duration.ofMillis(600)));
        Socket client = connect(proxy);
        byte[] chunk = Payload.bytes(15, 1000);
        // The first payload comes in the header's own write: read before the relay existed.
        client.getOutputStream().write(ProxyHeaders.concat(ProxyHeaders.v2(REAL_CLIENT, REAL_DESTINATION, false), chunk));
        for (int i = 1; i < 20; i++) {
            TimeUnit.MILLISECONDS.sleep(100);
            client.getOutputStream().write(chunk);
        }
        client.shutdownOutput();
        assertEquals(-1, client.getInputStream().read(), "a clean end, not an idle cut");
        events.awaitClosed(1, 20);
        RecordingListener.Event closed = events.of("closed").get(0);
        assertNull(closed.cause(), "ended cleanly: " + closed.cause());
        assertEquals(20 * 1000L, closed.summary().bytesFromClient(), "every payload byte counted, the header's not");
    }

    @Test
    void theLocalHeaderAHealthCheckSendsIsAccepted() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        for (ProxyProtocolSend version : List.of(ProxyProtocolSend.v1(), ProxyProtocolSend.v2())) {
            Socket client = connect(proxy);
            client.getOutputStream().write(version.localHeader());
            echoes(client, Payload.bytes(14, 512));
        }
        Await.until(() -> events.of("connected").size() == 2, PATIENCE, () -> "both connected");
        assertTrue(events.of("connected").stream().allMatch(e -> e.connection().proxyHeader().local()));
    }

    // ---- refused ----

    /**
     * Connects, sends {@code bytes}, and expects a reset, wherever it comes: the proxy may refuse
     * before the client's connect has even returned. A clean EOF fails.
     */
    private void sendExpectingReset(Proxy proxy, byte[] bytes) throws Exception {
        assertThrows(SocketException.class, () -> {
            Socket client = connect(proxy);
            client.getOutputStream().write(bytes);
            while (client.getInputStream().read() >= 0) {
                // nothing should come
            }
            throw new AssertionError("a clean EOF instead of a reset");
        });
    }

    private static void assertRefused(RecordingListener events, AtomicInteger upstreamAccepted,
            ConnectionRefusal.Reason reason) {
        Await.until(() -> !events.refusals().isEmpty(), PATIENCE, () -> "the refusal is heard");
        assertEquals(reason, events.refusals().get(0).reason(), events.refusals().toString());
        assertEquals(1, events.refusals().size(), "refused once: " + events.refusals());
        assertEquals(0, upstreamAccepted.get(), "no upstream was connected for a refused client");
        assertTrue(events.all().isEmpty(), "a refused client is no proxied connection: " + events.all());
    }

    @Test
    void anUntrustedSourceIsRefusedUnread() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events,
                b -> b.acceptProxyProtocol(ProxyProtocolAccept.from("10.0.0.0/8")));
        sendExpectingReset(proxy, ProxyHeaders.v1(REAL_CLIENT, REAL_DESTINATION));
        assertRefused(events, accepted, ConnectionRefusal.Reason.UNTRUSTED_PROXY);
        assertEquals(1L, proxy.stats().refusedConnections().get(ConnectionRefusal.Reason.UNTRUSTED_PROXY));
    }

    @Test
    void aMissingHeaderIsRefusedAtTheHeaderTimeout() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events,
                b -> b.acceptProxyProtocol(trustLoopback().headerTimeout(Duration.ofMillis(200))));
        long start = System.nanoTime();
        sendExpectingReset(proxy, "PROXY TCP4".getBytes(StandardCharsets.US_ASCII));
        assertRefused(events, accepted, ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 150, "not before the timeout");
    }

    @Test
    void aMalformedHeaderIsRefused() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        sendExpectingReset(proxy, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertRefused(events, accepted, ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED);
    }

    @Test
    void aV2HeaderWithAWrongChecksumIsRefused() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events, b -> b.acceptProxyProtocol(trustLoopback()));
        byte[] header = ProxyHeaders.v2(REAL_CLIENT, REAL_DESTINATION, true);
        header[header.length - 1] ^= 1;
        sendExpectingReset(proxy, ProxyHeaders.concat(header, new byte[] {1, 2, 3}));
        assertRefused(events, accepted, ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED);
        assertEquals("CRC32C mismatch", events.refusals().get(0).detail());
    }

    // ---- access rules and per-source limits ----

    private Socket connectFrom(Proxy proxy, int lastOctet) throws IOException {
        Socket socket = new Socket();
        toClose.add(socket);
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(address(127, 0, 0, lastOctet), 0));
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    /** From {@code lastOctet}: a reset somewhere between connect and the first read (a refusal). */
    private void refusedFrom(Proxy proxy, int lastOctet) {
        assertThrows(SocketException.class, () -> {
            Socket client = connectFrom(proxy, lastOctet);
            client.getOutputStream().write(1);
            while (client.getInputStream().read() >= 0) {
                // nothing should come
            }
            throw new AssertionError("a clean EOF instead of a reset");
        });
    }

    @Test
    void accessRulesApplyInOrderFirstMatchWins() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events, b -> b.accessRules(
                dev.zeroproxy.edge.AccessRules.builder().allow("127.0.0.5").deny("127.0.0.0/8").allow("127.0.0.6").build()));
        echoes(connectFrom(proxy, 5), Payload.bytes(6, 4096));
        refusedFrom(proxy, 6);
        Await.until(() -> events.refusals().size() == 1, PATIENCE, () -> "one refusal heard");
        assertEquals(ConnectionRefusal.Reason.DENIED, events.refusals().get(0).reason());
        assertEquals(1, accepted.get(), "only the allowed client reached the upstream");
    }

    @Test
    void aSourceAtItsConnectionLimitIsRefusedUntilOneCloses() throws Exception {
        RecordingListener events = new RecordingListener();
        AtomicInteger accepted = new AtomicInteger();
        Proxy proxy = start(echo(accepted).address(), events, b -> b.sourceLimits(
                dev.zeroproxy.edge.SourceLimits.builder().maxConnectionsPerSource(2).build()));
        Socket first = connectFrom(proxy, 8);
        Socket second = connectFrom(proxy, 8);
        first.getOutputStream().write(1);
        assertEquals(1, first.getInputStream().read());
        second.getOutputStream().write(2);
        assertEquals(2, second.getInputStream().read());
        refusedFrom(proxy, 8);
        echoes(connectFrom(proxy, 9), Payload.bytes(7, 1024));
        first.close();
        Await.until(() -> proxy.stats().activeConnections() == 1, PATIENCE, () -> "the first closed");
        echoes(connectFrom(proxy, 8), Payload.bytes(8, 1024));
        assertEquals(1L, proxy.stats().refusedConnections().get(ConnectionRefusal.Reason.TOO_MANY_FROM_SOURCE));
    }

    @Test
    void aSourceOverItsRateIsRefused() throws Exception {
        RecordingListener events = new RecordingListener();
        Proxy proxy = start(echo(new AtomicInteger()).address(), events, b -> b.sourceLimits(
                dev.zeroproxy.edge.SourceLimits.builder().maxNewConnectionsPerSecondPerSource(3).build()));
        for (int i = 0; i < 3; i++) {
            echoes(connectFrom(proxy, 10), Payload.bytes(9 + i, 512));
        }
        refusedFrom(proxy, 10);
        Await.until(() -> events.refusals().size() == 1, PATIENCE, () -> "one refusal heard");
        assertEquals(ConnectionRefusal.Reason.TOO_FAST_FROM_SOURCE, events.refusals().get(0).reason());
        echoes(connectFrom(proxy, 11), Payload.bytes(13, 512));
    }

    // ---- sent, then accepted by a second proxy ----

    @Test
    void aV2HeaderSentByOneProxyIsAcceptedByTheNextWithTheOriginalClient() throws Exception {
        roundTrip(ProxyProtocolSend.v2().withCrc32c().with(ProxyTlv.of(ProxyTlv.AUTHORITY, "svc.internal")));
    }

    @Test
    void aV1HeaderSentByOneProxyIsAcceptedByTheNextWithTheOriginalClient() throws Exception {
        roundTrip(ProxyProtocolSend.v1());
    }

    private void roundTrip(ProxyProtocolSend send) throws Exception {
        RecordingListener second = new RecordingListener();
        Proxy accepting = start(echo(new AtomicInteger()).address(), second,
                b -> b.acceptProxyProtocol(trustLoopback()));
        Proxy sending = start(accepting.localAddress(), new RecordingListener(), b -> b.sendProxyProtocol(send));
        Socket client = new Socket();
        toClose.add(client);
        client.bind(new InetSocketAddress(address(127, 0, 0, 7), 0));
        client.connect(sending.localAddress(), 5_000);
        client.setSoTimeout((int) PATIENCE.toMillis());
        echoes(client, Payload.bytes(5, 2 << 20));
        ConnectionInfo info = connected(second);
        assertEquals(client.getLocalSocketAddress(), info.originalClient(), "the real client, two proxies on");
        assertEquals(sending.localAddress(), info.originalDestination().orElseThrow(),
                "where the client connected: the first proxy");
        assertEquals(send.version(), info.proxyHeader().version());
        if (send.version() == 2) {
            assertEquals("svc.internal", info.proxyHeader().tlv(ProxyTlv.AUTHORITY).orElseThrow().text());
            assertTrue(info.proxyHeader().tlv(ProxyTlv.CRC32C).isPresent(), "the checksum came and matched");
        } else {
            assertNull(info.proxyHeader().tlv(ProxyTlv.AUTHORITY).orElse(null));
        }
    }
}
