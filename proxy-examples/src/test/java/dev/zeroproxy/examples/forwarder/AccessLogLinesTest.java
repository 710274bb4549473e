package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.accesslog.AccessLog;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * {@link AccessLog} on a real proxy on 127.0.0.1: connections that end in each way, their lines
 * taken from the {@code zeroproxy.access} logger (Logback, as the forwarder binds it) and read
 * back field by field: the client's address and port, the frontend, backend/server, the times,
 * the exact bytes each way, the termination state, the retries and the id.
 */
@Timeout(60)
class AccessLogLinesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Every line the access logger writes, in order. */
    private static final class Lines extends AppenderBase<ILoggingEvent> {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        @Override
        protected void append(ILoggingEvent event) {
            queue.add(event.getFormattedMessage());
        }

        AccessLines next() throws InterruptedException {
            String line = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(line, "no access-log line within " + WAIT);
            return AccessLines.parse(line);
        }
    }

    private final Lines lines = new Lines();
    private Logger access;

    @BeforeEach
    void captureTheAccessLogger() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        access = context.getLogger(AccessLog.LOGGER_NAME);
        lines.setContext(context);
        lines.start();
        access.addAppender(lines);
        access.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        access.setLevel(Level.OFF);
        access.detachAppender(lines);
        lines.stop();
    }

    private static Proxy start(InetSocketAddress upstream, Consumer<ProxyBuilder> settings) {
        ProxyBuilder builder = Proxy.builder().listen(new InetSocketAddress("127.0.0.1", 0)).upstream(upstream)
                .listener(AccessLog.forFrontend("web"));
        settings.accept(builder);
        return builder.start();
    }

    private static Proxy start(UpstreamGroup group, Consumer<ProxyBuilder> settings) {
        ProxyBuilder builder = Proxy.builder().listen(new InetSocketAddress("127.0.0.1", 0)).upstream(group)
                .listener(AccessLog.forFrontend("web"));
        settings.accept(builder);
        return builder.start();
    }

    /** A loopback port nothing listens on: a connect to it is refused. */
    private static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", probe.getLocalPort());
        }
    }

    /**
     * The fields every closing line has. The accept is between the client's connect call and
     * the line (the proxy takes the connection from the kernel after the client's connect may
     * have returned).
     */
    private static void assertCommonFields(AccessLines line, Socket client, long before) {
        long after = System.currentTimeMillis();
        assertEquals("127.0.0.1", line.clientIp());
        assertEquals(client.getLocalPort(), line.clientPort(), "the client's own port");
        assertEquals("web", line.frontend());
        assertTrue(line.acceptMillis() >= before - 5 && line.acceptMillis() <= after + 5,
                line.acceptMillis() + " not within [" + before + ", " + after + "]");
        assertTrue(line.tw() >= 0, "Tw " + line.tw());
        assertTrue(line.tt() >= line.tw() + Math.max(0, line.tc()), "Tt >= Tw + Tc: " + line);
        assertEquals(false, line.early());
        assertNull(line.refusal());
    }

    @Test
    void aCompletedConnectionHasItsExactBytesEachWayAndItsNames() throws Exception {
        byte[] request = Payload.bytes(31, 70_000);
        byte[] response = Payload.bytes(32, 123_457);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
                    byte[] got = socket.getInputStream().readNBytes(request.length);
                    assertArrayEquals(request, got, "the upstream gets the request byte for byte");
                    socket.getOutputStream().write(response);
                    socket.shutdownOutput();
                    assertEquals(-1, socket.getInputStream().read(), "then the client's EOF");
                });
                Proxy proxy = start(UpstreamGroup.builder("app").server("s1", upstream.address()).build(), b -> { });
                Socket client = new Socket()) {
            long before = System.currentTimeMillis();
            client.connect(proxy.localAddress(), 5_000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write(request);
            client.shutdownOutput();
            assertArrayEquals(response, client.getInputStream().readAllBytes(), "the response byte for byte");

            AccessLines line = lines.next();
            assertCommonFields(line, client, before);
            assertEquals("app", line.backend());
            assertEquals("s1", line.server());
            assertTrue(line.tc() >= 0, "connected: Tc " + line.tc());
            assertEquals(response.length, line.bytesToClient(), "%B: bytes sent to the client");
            assertEquals(request.length, line.bytesFromClient(), "%U: bytes received from the client");
            assertEquals("--", line.state());
            assertTrue(line.splicedPercent() >= 0 && line.splicedPercent() <= 100, line.toString());
            assertEquals(0, line.retries());
            assertEquals("1", line.id());
        }
    }

    @Test
    void aClientResetIsCdWithTheBytesItSent() throws Exception {
        byte[] sent = Payload.bytes(33, 5_000);
        CountDownLatch received = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
                    assertArrayEquals(sent, socket.getInputStream().readNBytes(sent.length));
                    received.countDown();
                    try {
                        socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (SocketException reset) {
                        // The proxy passes the client's reset on: the expected end.
                    }
                });
                Proxy proxy = start(upstream.address(), b -> { })) {
            Socket client = new Socket();
            long before = System.currentTimeMillis();
            client.connect(proxy.localAddress(), 5_000);
            client.getOutputStream().write(sent);
            assertTrue(received.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the upstream got the bytes");
            client.setSoLinger(true, 0); // close() now sends a reset
            client.close();

            AccessLines line = lines.next();
            assertCommonFields(line, client, before);
            assertEquals("-", line.backend(), "a plain address has no names");
            assertEquals("127.0.0.1:" + upstream.address().getPort(), line.server(), "its address");
            assertEquals("CD", line.state(), "the client aborted while data flowed");
            assertEquals(sent.length, line.bytesFromClient());
            assertEquals(0, line.bytesToClient());
        }
    }

    @Test
    void aRefusedConnectIsScWithoutConnectTimeAndCountsItsRetries() throws Exception {
        UpstreamGroup dead = UpstreamGroup.builder("app").server("d1", closedPort()).server("d2", closedPort())
                .retries(1).build();
        try (Proxy proxy = start(dead, b -> { }); Socket client = new Socket()) {
            long before = System.currentTimeMillis();
            client.connect(proxy.localAddress(), 5_000);
            endQuietly(client);

            AccessLines line = lines.next();
            assertCommonFields(line, client, before);
            assertEquals("app", line.backend());
            assertTrue(line.server().equals("d1") || line.server().equals("d2"), line.server());
            assertEquals(-1, line.tc(), "never connected");
            assertEquals("SC", line.state());
            assertEquals(0, line.bytesToClient());
            assertEquals(0, line.bytesFromClient());
            assertEquals(1, line.retries(), "the first server failed, the second was tried");
        }
    }

    @Test
    void anIdleTimeoutIsCdLowercaseAfterTheTimeout() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(AccessLogLinesTest::echoUntilCut);
                Proxy proxy = start(upstream.address(), b -> b.idleTimeout(Duration.ofMillis(300)));
                Socket client = new Socket()) {
            long before = System.currentTimeMillis();
            client.connect(proxy.localAddress(), 5_000);
            byte[] ping = Payload.bytes(34, 10);
            client.getOutputStream().write(ping);
            assertArrayEquals(ping, client.getInputStream().readNBytes(ping.length), "echoed");
            endQuietly(client);

            AccessLines line = lines.next();
            assertCommonFields(line, client, before);
            assertEquals("cD", line.state(), "the idle timeout, while forwarding");
            assertTrue(line.tt() >= 300, "Tt " + line.tt());
            assertEquals(10, line.bytesFromClient());
            assertEquals(10, line.bytesToClient());
        }
    }

    @Test
    void anEdgeRefusalIsOneLineWithItsReason() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.echo();
                Proxy proxy = start(upstream.address(),
                        b -> b.accessRules(AccessRules.builder().deny("127.0.0.0/8").build()));
                Socket client = new Socket()) {
            client.bind(new InetSocketAddress("127.0.0.1", 0)); // its port known even if the connect is reset
            try {
                client.connect(proxy.localAddress(), 5_000);
                endQuietly(client);
            } catch (SocketException reset) {
                // Refused at the edge: reset, at times before connect() has even returned.
            }

            String raw = lines.queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(raw, "a line for the refusal");
            AccessLines line = AccessLines.parse(raw);
            assertEquals(client.getLocalPort(), line.clientPort());
            assertEquals("PR", line.state());
            assertEquals("-", line.id());
            assertEquals("DENIED", line.refusal());
        }
    }

    /** Echoes until the proxy cuts the connection (a reset, after an idle timeout). */
    private static void echoUntilCut(Socket socket) throws IOException {
        try {
            LoopbackServer.echoUntilEof(socket);
        } catch (SocketException reset) {
            // The proxy's cut: the expected end.
        }
    }

    /** Waits for the proxy to end the client's connection, however it does (EOF or reset). */
    private static void endQuietly(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        try (InputStream in = client.getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (SocketException reset) {
            // A refused or cut client is reset: the expected end.
        }
    }
}
