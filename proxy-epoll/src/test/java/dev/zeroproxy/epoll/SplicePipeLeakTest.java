package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.OpenPipes;
import dev.zeroproxy.testkit.Payload;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every splice pipe a connection opens is closed with it: counted in /proc/self/fd. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SplicePipeLeakTest {

    @Test
    void splicePipesAreClosedWithTheirConnections() throws Exception {
        long before = openPipes();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder()
                        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .upstream(echo.address())
                        .transport(Transport.named("epoll"))
                        .forwarding(Forwarding.SPLICE)
                        .eventLoops(2)
                        .start()) {
            try (Socket held = new Socket()) {
                held.connect(proxy.localAddress(), 5_000);
                held.getOutputStream().write(new byte[] {1, 2, 3});
                held.getInputStream().readNBytes(3);
                // One pipe per direction while the connection is open: proves the count sees them.
                assertEquals(before + 4, openPipes(), "two pipes (4 descriptors) for one spliced connection");
                for (int i = 0; i < 50; i++) {
                    try (Socket client = new Socket()) {
                        client.connect(proxy.localAddress(), 5_000);
                        String sent = Payload.write(client.getOutputStream(), i, 64 * 1024, 8192);
                        client.shutdownOutput();
                        assertEquals(sent, Payload.readToEof(client.getInputStream(), 8192).sha256());
                    }
                }
                held.shutdownOutput();
                held.getInputStream().readAllBytes();
            }
            Await.until(() -> proxy.stats().openChannels() == 0, Duration.ofSeconds(10), () -> "connections closed");
            Await.until(() -> openPipes() == before, Duration.ofSeconds(10),
                    () -> "pipes back to " + before + ", now " + openPipes());
        }
        assertEquals(before, openPipes());
    }

    private static long openPipes() {
        return OpenPipes.open().size();
    }
}
