package dev.zeroproxy.micrometer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Termination;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.RecordingListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The meters of one proxy against known traffic: counts and bytes exact. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyMetricsTrafficTest {
    private static final int CONNECTIONS = 6;
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** No memo: each read sees the proxy's counters now. */
    private final ProxyMetrics metrics = new ProxyMetrics(0);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsConnectionsBytesAndDurationsExactly() throws Exception {
        metrics.bindTo(registry);
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                        .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
            metrics.addProxy("web", proxy);

            long bytes = EchoTraffic.exchange(proxy.localAddress(), CONNECTIONS, 300 * 1024, 42);
            events.awaitClosed(CONNECTIONS, 10);

            Meters m = new Meters(registry);
            assertEquals(CONNECTIONS, m.count("zeroproxy.connections.accepted", "proxy", "web"));
            assertEquals(CONNECTIONS, m.count("zeroproxy.connections.closed", "proxy", "web", "termination", "completed"));
            for (Termination other : Termination.values()) {
                if (other != Termination.COMPLETED) {
                    assertEquals(0, m.count("zeroproxy.connections.closed", "proxy", "web", "termination",
                            MeterNames.tagValue(other)), other.name());
                }
            }
            assertEquals(bytes, m.count("zeroproxy.forwarded", "proxy", "web", "direction", "from_client"));
            assertEquals(bytes, m.count("zeroproxy.forwarded", "proxy", "web", "direction", "from_upstream"));
            assertEquals(2 * bytes, m.count("zeroproxy.spliced", "proxy", "web")
                    + m.count("zeroproxy.copied", "proxy", "web"), "every byte either spliced or copied");
            // The gauges fall as the sockets finish closing, just after the close is reported.
            Await.until(() -> m.gauge("zeroproxy.connections.active", "proxy", "web") == 0
                    && m.gauge("zeroproxy.channels.open", "proxy", "web") == 0, Duration.ofSeconds(10),
                    () -> "active and open channels back to 0");
            assertEquals(0, m.count("zeroproxy.connections.refused", "proxy", "web", "reason", "denied"));
            assertEquals(CONNECTIONS, registry.get("zeroproxy.connection.duration").tag("proxy", "web").timer().count());
            String server = hostPort(echo.address());
            assertEquals(CONNECTIONS, m.count("zeroproxy.upstream.connect.attempts", "backend", "web", "server", server),
                    "an unnamed upstream counts under the frontend's name and its address");
            assertEquals(0, m.count("zeroproxy.upstream.connect.failures", "backend", "web", "server", server));
        }
    }

    @Test
    void gaugesShowTheConnectionsOpenNow() throws Exception {
        metrics.bindTo(registry);
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                        .listener(metrics.listener("web")).start()) {
            metrics.addProxy("web", proxy);
            Meters m = new Meters(registry);
            try (Socket open = new Socket()) {
                open.connect(proxy.localAddress(), 5_000);
                open.setSoTimeout(10_000);
                byte[] sent = Payload.bytes(3, 1000);
                open.getOutputStream().write(sent);
                // Echoed back: the connection is up through the proxy, both its sockets open.
                assertArrayEquals(sent, open.getInputStream().readNBytes(sent.length));

                assertEquals(1, m.gauge("zeroproxy.connections.active", "proxy", "web"));
                assertEquals(2, m.gauge("zeroproxy.channels.open", "proxy", "web"), "the client's and the upstream's");
            }
            Await.until(() -> m.gauge("zeroproxy.connections.active", "proxy", "web") == 0, Duration.ofSeconds(10),
                    () -> "no connection active after the close");
        }
    }

    @Test
    void countsARefusalByItsReason() throws Exception {
        metrics.bindTo(registry);
        Listeners.Refusals refused = new Listeners.Refusals(1);
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                        .accessRules(AccessRules.builder().deny("127.0.0.0/8").build())
                        .listener(ProxyListener.all(metrics.listener("web"), refused)).start()) {
            metrics.addProxy("web", proxy);

            assertEndsWithoutData(proxy.localAddress());
            refused.await();

            Meters m = new Meters(registry);
            assertEquals(1, m.count("zeroproxy.connections.refused", "proxy", "web", "reason", "denied"));
            assertEquals(0, m.count("zeroproxy.connections.refused", "proxy", "web", "reason", "too_many_from_source"));
            assertEquals(0, m.count("zeroproxy.connections.accepted", "proxy", "web"),
                    "a refused connection is not an accepted one");
        }
    }

    @Test
    void countsAFailedConnectOnItsServer() throws Exception {
        InetSocketAddress closed = closedAddress();
        metrics.bindTo(registry);
        RecordingListener events = new RecordingListener();
        try (Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(Upstream.of(closed))
                .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
            metrics.addProxy("web", proxy);

            assertEndsWithoutData(proxy.localAddress());
            events.awaitClosed(1, 10);

            Meters m = new Meters(registry);
            assertEquals(1, m.count("zeroproxy.upstream.connect.attempts", "backend", "web", "server", hostPort(closed)));
            assertEquals(1, m.count("zeroproxy.upstream.connect.failures", "backend", "web", "server", hostPort(closed)));
            assertEquals(1, m.count("zeroproxy.connections.closed", "proxy", "web", "termination", "connect_failed"));
            assertEquals(1, m.count("zeroproxy.connections.accepted", "proxy", "web"));
        }
    }

    @Test
    void countsWhatHappenedBeforeBindingExceptTheDurations() throws Exception {
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                        .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
            metrics.addProxy("web", proxy);
            long bytes = EchoTraffic.exchange(proxy.localAddress(), 3, 64 * 1024, 7);
            events.awaitClosed(3, 10);

            metrics.bindTo(registry);

            Meters m = new Meters(registry);
            assertEquals(3, m.count("zeroproxy.connections.accepted", "proxy", "web"));
            assertEquals(3, m.count("zeroproxy.connections.closed", "proxy", "web", "termination", "completed"));
            assertEquals(bytes, m.count("zeroproxy.forwarded", "proxy", "web", "direction", "from_client"));
            assertEquals(3, m.count("zeroproxy.upstream.connect.attempts", "backend", "web", "server",
                    hostPort(echo.address())));
            assertEquals(0, registry.get("zeroproxy.connection.duration").timer().count(),
                    "the histogram starts at the binding");
        }
    }

    @Test
    void bindsOneRegistryOnly() {
        metrics.bindTo(registry);
        metrics.bindTo(registry); // the same: nothing happens

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> metrics.bindTo(new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("one registry per ProxyMetrics"), e.getMessage());
    }

    @Test
    void refusesABlankFrontendName() {
        dev.zeroproxy.InvalidSettingException e = assertThrows(dev.zeroproxy.InvalidSettingException.class,
                () -> metrics.listener(" "));
        assertEquals("frontend", e.setting());
    }

    /**
     * Connects and expects the proxy to end the connection without a byte: an EOF or a reset,
     * which may come so fast that the connect itself reports it.
     */
    static void assertEndsWithoutData(InetSocketAddress proxy) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy, 5_000);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "no data, then the end");
        } catch (SocketException e) {
            if (e.getMessage() == null || !e.getMessage().contains("reset")) {
                throw e; // not the proxy's reset: a refused connect means no proxy listened
            }
        }
    }

    /** An address on 127.0.0.1 where nothing listens (bound a moment ago, then closed). */
    static InetSocketAddress closedAddress() throws IOException {
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) gone.getLocalSocketAddress();
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

}
