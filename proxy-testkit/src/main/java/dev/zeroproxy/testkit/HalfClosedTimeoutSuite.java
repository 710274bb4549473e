package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ProxyBuilder#halfClosedTimeout} through a real proxy, written once and run for every
 * transport × forwarding mode: once one side has ended its direction (its FIN relayed) and the
 * other has not, a connection where no byte moves for the timeout is cut, each side getting a
 * reset, and reported with {@link ProxyClosedConnectionException.Reason#HALF_CLOSED_TIMEOUT};
 * bytes still flowing the other way keep it open, and a connection open both ways is not
 * concerned however long it is silent. The upstream is accepted by the test itself, so that it
 * can stay silent and see how its connection ends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class HalfClosedTimeoutSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** Slack for the clocks of two threads read a few instructions apart. */
    private static final long CLOCK_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ServerSocket upstreamListener;
    private Proxy proxy;
    private RecordingListener events;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    @BeforeEach
    void requireTransport() throws IOException {
        TransportAssumptions.assumeAvailable(transport());
        upstreamListener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        toClose.add(upstreamListener);
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
            if (proxy != null) {
                Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                        PATIENCE, () -> "no proxy channel left open; stats " + proxy.stats());
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private void startProxy(Consumer<ProxyBuilder> settings) {
        events = new RecordingListener();
        ProxyBuilder builder = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream((InetSocketAddress) upstreamListener.getLocalSocketAddress())
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events);
        settings.accept(builder);
        proxy = builder.start();
    }

    /** A client through the proxy, and the upstream end of its connection. */
    private Socket[] connectPair() throws IOException {
        Socket client = new Socket();
        toClose.add(client);
        client.setTcpNoDelay(true);
        client.connect(proxy.localAddress(), 5_000);
        client.setSoTimeout((int) PATIENCE.toMillis());
        upstreamListener.setSoTimeout((int) PATIENCE.toMillis());
        Socket upstream = upstreamListener.accept();
        toClose.add(upstream);
        upstream.setSoTimeout((int) PATIENCE.toMillis());
        return new Socket[] {client, upstream};
    }

    private ProxyClosedConnectionException.Reason closedFor() throws InterruptedException {
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(1, events.of("closed").size());
        return assertInstanceOf(ProxyClosedConnectionException.class, events.of("closed").get(0).cause()).reason();
    }

    @Test
    void aClientThatHalfClosesWhileTheUpstreamStaysSilentIsCutAtTheHalfClosedTimeout() throws Exception {
        startProxy(b -> b.halfClosedTimeout(TIMEOUT));
        Socket[] pair = connectPair();
        Socket client = pair[0];
        Socket upstream = pair[1];
        byte[] request = Payload.bytes(1, 64 * 1024);
        long lastByte = System.nanoTime();
        client.getOutputStream().write(request);
        client.shutdownOutput();
        assertArrayEquals(request, upstream.getInputStream().readAllBytes(), "the request, then its FIN");

        assertEquals("reset", endOf(client.getInputStream()), "the client that half-closed is reset");
        long waited = System.nanoTime() - lastByte;
        assertTrue(waited >= TIMEOUT.toNanos() - CLOCK_SLACK_NANOS,
                "not cut before the timeout: " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
        assertEquals(ProxyClosedConnectionException.Reason.HALF_CLOSED_TIMEOUT, closedFor());
        assertConnectionGone(upstream, "the upstream");
    }

    @Test
    void anUpstreamThatHalfClosesWhileTheClientStaysSilentIsCutAtTheHalfClosedTimeout() throws Exception {
        startProxy(b -> b.halfClosedTimeout(TIMEOUT));
        Socket[] pair = connectPair();
        Socket client = pair[0];
        Socket upstream = pair[1];
        byte[] response = Payload.bytes(2, 64 * 1024);
        long lastByte = System.nanoTime();
        upstream.getOutputStream().write(response);
        upstream.shutdownOutput();
        assertArrayEquals(response, client.getInputStream().readAllBytes(), "the response, then its FIN");

        assertEquals("reset", endOf(upstream.getInputStream()), "the upstream that half-closed is reset");
        long waited = System.nanoTime() - lastByte;
        assertTrue(waited >= TIMEOUT.toNanos() - CLOCK_SLACK_NANOS,
                "not cut before the timeout: " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
        assertEquals(ProxyClosedConnectionException.Reason.HALF_CLOSED_TIMEOUT, closedFor());
        assertConnectionGone(client, "the client");
    }

    @Test
    void bytesStillFlowingTheOtherWayKeepAHalfClosedConnectionOpen() throws Exception {
        startProxy(b -> b.halfClosedTimeout(TIMEOUT));
        Socket[] pair = connectPair();
        Socket client = pair[0];
        Socket upstream = pair[1];
        byte[] request = Payload.bytes(3, 1000);
        client.getOutputStream().write(request);
        client.shutdownOutput();
        assertArrayEquals(request, upstream.getInputStream().readAllBytes());

        // A slow answer: a chunk every 100 ms for three times the timeout, then the end.
        byte[] response = Payload.bytes(4, 12 * 512);
        long started = System.nanoTime();
        for (int chunk = 0; chunk < 12; chunk++) {
            TimeUnit.MILLISECONDS.sleep(100);
            upstream.getOutputStream().write(response, chunk * 512, 512);
        }
        upstream.shutdownOutput();
        assertArrayEquals(response, client.getInputStream().readAllBytes(), "the whole slow answer, then EOF");
        assertTrue(System.nanoTime() - started > 2 * TIMEOUT.toNanos(), "it outlived the timeout");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertNull(events.of("closed").get(0).cause(), "ended cleanly: " + events.of("closed").get(0).cause());
        assertEquals(request.length, events.of("closed").get(0).summary().bytesFromClient());
        assertEquals(response.length, events.of("closed").get(0).summary().bytesFromUpstream());
    }

    @Test
    void aConnectionOpenBothWaysIsNotCutHoweverLongItIsSilent() throws Exception {
        startProxy(b -> b.halfClosedTimeout(Duration.ofMillis(200)));
        Socket[] pair = connectPair();
        Socket client = pair[0];
        Socket upstream = pair[1];
        client.getOutputStream().write(5);
        assertEquals(5, upstream.getInputStream().read());
        client.setSoTimeout(700);
        assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(),
                "silent both ways for three half-closed timeouts: nothing comes, no reset");
        client.setSoTimeout((int) PATIENCE.toMillis());
        upstream.getOutputStream().write(6);
        assertEquals(6, client.getInputStream().read(), "still relaying");
        client.shutdownOutput();
        assertEquals(-1, upstream.getInputStream().read());
        upstream.shutdownOutput();
        assertEquals(-1, client.getInputStream().read());
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertNull(events.of("closed").get(0).cause());
    }

    @Test
    void withoutAHalfClosedTimeoutTheIdleTimeoutEndsAHalfClosedConnection() throws Exception {
        Duration idle = Duration.ofMillis(500);
        startProxy(b -> b.idleTimeout(idle));
        assertEquals(Duration.ZERO, proxy.config().halfClosedTimeout(), "none by default");
        Socket[] pair = connectPair();
        Socket client = pair[0];
        Socket upstream = pair[1];
        long lastByte = System.nanoTime();
        client.getOutputStream().write(9);
        client.shutdownOutput();
        assertEquals(9, upstream.getInputStream().read());
        assertEquals(-1, upstream.getInputStream().read());
        assertEquals("reset", endOf(client.getInputStream()));
        assertTrue(System.nanoTime() - lastByte >= idle.toNanos() - CLOCK_SLACK_NANOS, "not before the idle timeout");
        assertEquals(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT, closedFor());
    }

    /**
     * The side that received the FIN can read nothing more to learn of the cut: its connection
     * is gone once a write to it fails (the proxy's reset, or the reset a closed socket answers
     * a write with).
     */
    private static void assertConnectionGone(Socket side, String which) {
        byte[] one = {1};
        Await.until(() -> {
            try {
                side.getOutputStream().write(one);
                return false;
            } catch (IOException gone) {
                return true;
            }
        }, PATIENCE, () -> which + "'s connection is gone");
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
