package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.TransportAssumptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Forwarding.BEST, the builder's default, with proxy-epoll on the class path: it splices (AUTO)
 * on epoll with no platform knowledge in the caller's code, and copies on a transport that
 * cannot splice, saying so in the configuration.
 */
@Timeout(60)
class BestForwardingTest {
    private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void theDefaultSplicesWhereItCanAndRelaysByteForByte() throws Exception {
        TransportAssumptions.assumeAvailable(Transport.named("epoll"));
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(LOOPBACK_ANY).upstream(echo.address())
                        .drainTimeout(Duration.ZERO).start()) {
            ProxyConfig config = proxy.config();
            assertEquals(Forwarding.BEST, config.requestedForwarding());
            assertEquals(Forwarding.AUTO, config.forwarding());
            assertEquals("epoll", config.transport().name());
            assertTrue(config.toString().contains("forwarding=AUTO (BEST on epoll)"), config.toString());
            long length = 4L << 20; // past the splice threshold: the bulk of it is spliced
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5_000);
                String sent = Payload.write(client.getOutputStream(), 5, length, 64 * 1024);
                client.shutdownOutput();
                assertEquals(sent, Payload.readToEof(client.getInputStream(), 64 * 1024).sha256());
            }
            assertTrue(proxy.stats().bytesSpliced() > 0, "spliced: " + proxy.stats());
        }
    }

    @Test
    void onATransportThatCannotSpliceItCopies() {
        ProxyConfig config = Proxy.builder().listen(LOOPBACK_ANY).upstream(LOOPBACK_ANY)
                .transport(Transport.nio()).build();
        assertEquals(Forwarding.COPY, config.forwarding());
        assertTrue(config.toString().contains("forwarding=COPY (BEST on nio)"), config.toString());
    }
}
