package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.ProxyHeaders;
import dev.zeroproxy.testkit.RecordingListener;
import dev.zeroproxy.testkit.TaggedServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a file says about each client, on real sockets: {@code use_backend ... if { src }},
 * {@code tcp-request connection reject}, {@code accept-proxy} on a bind and {@code send-proxy-v2}
 * on a server. 127.0.0.2 is a second client host.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentRoutingTest {
    private static final int PAYLOAD = 256 * 1024;

    @Test
    void useBackendIfSrcTakesThatClientAndTheDefaultTakesTheOthers() throws Exception {
        try (TaggedServer app = TaggedServer.start(1); TaggedServer canary = TaggedServer.start(2)) {
            int port = Session.freePort();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        use_backend canary if { src 127.0.0.2 }
                        default_backend app
                    backend app
                        server app1 127.0.0.1:%d
                    backend canary
                        server canary1 127.0.0.1:%d
                    """.formatted(port, app.address().getPort(), canary.address().getPort());

            try (Deployment deployment = Running.start(text, ProxyListener.NOOP)) {
                assertEquals(2, Session.exchange("127.0.0.2", loopback(port), 1, PAYLOAD));
                assertEquals(1, Session.exchange("127.0.0.1", loopback(port), 2, PAYLOAD));
                assertEquals(2, Session.exchange("127.0.0.2", loopback(port), 3, PAYLOAD));
                assertEquals(1, Session.exchange("127.0.0.3", loopback(port), 4, PAYLOAD));
            }
            assertEquals(2, app.accepted());
            assertEquals(2, canary.accepted());
        }
    }

    @Test
    void rejectUnlessSourceResetsOtherHostsAndServesTheListedOne() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int port = Session.freePort();
            String text = Running.HEAD + """
                    frontend admin
                        bind 127.0.0.1:%d
                        tcp-request connection reject if !{ src 127.0.0.1 }
                        default_backend app
                    backend app
                        server app1 127.0.0.1:%d
                    """.formatted(port, app.address().getPort());
            RecordingListener listener = new RecordingListener();

            try (Deployment deployment = Running.start(text, listener)) {
                assertReset("127.0.0.2", loopback(port), new byte[] {1, 2, 3});
                assertEquals(1, Session.exchange("127.0.0.1", loopback(port), 5, PAYLOAD));
            }
            assertEquals(1, listener.refusals().size(), listener.refusals()::toString);
            ConnectionRefusal refusal = listener.refusals().get(0);
            assertEquals(ConnectionRefusal.Reason.DENIED, refusal.reason());
            assertEquals("127.0.0.2", refusal.client().getAddress().getHostAddress());
            assertEquals(1, app.accepted(), "the refused client never reached a server");
            assertEquals(PAYLOAD, app.received());
        }
    }

    @Test
    void acceptProxyRequiresAHeaderAndRoutesByTheSourceItGives() throws Exception {
        BlockingQueue<V2Header> headers = new LinkedBlockingQueue<>();
        try (TaggedServer app = TaggedServer.start(1); LoopbackServer internal = V2Header.server(2, headers)) {
            int port = Session.freePort();
            String text = Running.HEAD + """
                    frontend edge
                        bind 127.0.0.1:%d accept-proxy
                        tcp-request connection reject if !{ src 127.0.0.1 }
                        use_backend internal if { src 10.0.0.0/8 }
                        default_backend app
                    backend app
                        server app1 127.0.0.1:%d
                    backend internal
                        server intra1 127.0.0.1:%d send-proxy-v2
                    """.formatted(port, app.address().getPort(), internal.address().getPort());
            InetSocketAddress lan = new InetSocketAddress("10.1.2.3", 40000);
            InetSocketAddress outside = new InetSocketAddress("192.0.2.7", 40001);

            try (Deployment deployment = Running.start(text, ProxyListener.NOOP)) {
                // tcp-request connection sees the real peer (127.0.0.1), use_backend the header's source.
                try (Session fromLan = Session.open(loopback(port))) {
                    fromLan.output().write(ProxyHeaders.v2(lan, loopback(port), false));
                    assertEquals(2, fromLan.tag());
                    fromLan.roundTrip(6, PAYLOAD);
                    fromLan.finish();
                }
                V2Header header = headers.poll(10, TimeUnit.SECONDS);
                assertNotNull(header, "the internal server got a PROXY v2 header");
                assertEquals(lan, header.source(), "the client the PROXY header in front named");
                try (Session fromOutside = Session.open(loopback(port))) {
                    fromOutside.output().write(ProxyHeaders.v1(outside, loopback(port)));
                    assertEquals(1, fromOutside.tag());
                    fromOutside.roundTrip(7, PAYLOAD);
                    fromOutside.finish();
                }
                // A client without a PROXY header is not served.
                assertReset("127.0.0.1", loopback(port), "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertEquals(1, app.accepted());
            assertEquals(PAYLOAD, app.received());
        }
    }

    @Test
    void sendProxyV2TellsTheServerTheClientAndTheBindItReached() throws Exception {
        BlockingQueue<V2Header> headers = new LinkedBlockingQueue<>();
        try (LoopbackServer server = V2Header.server(3, headers)) {
            int port = Session.freePort();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d send-proxy-v2
                    """.formatted(port, server.address().getPort());

            try (Deployment deployment = Running.start(text, ProxyListener.NOOP);
                    Session session = Session.open("127.0.0.2", loopback(port))) {
                assertEquals(3, session.tag());
                session.roundTrip(8, PAYLOAD);
                session.finish();

                V2Header header = headers.poll(10, TimeUnit.SECONDS);
                assertNotNull(header);
                assertEquals(session.localAddress(), header.source());
                assertEquals(loopback(port), header.destination());
            }
        }
    }

    /**
     * Asserts that a client from {@code source} that sends {@code bytes} is reset without a byte
     * in return. The reset may come as early as the end of the connect (the proxy accepts and
     * resets at once), or at the write, or at the read; a refused connect (nothing listening) is
     * not a reset.
     */
    private static void assertReset(String source, InetSocketAddress proxy, byte[] bytes) throws IOException {
        int read;
        try (Session session = Session.open(source, proxy)) {
            session.output().write(bytes);
            read = session.readWithin(10_000);
        } catch (ConnectException refused) {
            throw new AssertionError("nothing listens on " + proxy, refused);
        } catch (SocketException reset) {
            return;
        }
        throw new AssertionError("expected a reset; read " + read);
    }
}
