package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.ConnectionCrowd;
import dev.zeroproxy.testkit.OpenPipes;
import dev.zeroproxy.testkit.SelectorEchoServer;
import dev.zeroproxy.testkit.TransportAssumptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A spliced connection makes its pipes when its first byte is spliced, not when it opens: idle
 * pairs hold two descriptors, not six, so the descriptor limit is not spent on pairs that carry
 * nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SplicePipeLazinessTest {
    private static final int PAIRS = 50;

    @Test
    void splicedPairsHoldNoPipeUntilTheirFirstByteThenOnePerDirection() throws Exception {
        Transport epoll = Transport.named("epoll");
        TransportAssumptions.assumeAvailable(epoll);
        int before = OpenPipes.count();
        try (SelectorEchoServer echo = SelectorEchoServer.start();
             Proxy proxy = Proxy.builder()
                     .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                     .upstream(echo.address())
                     .transport(epoll)
                     .forwarding(Forwarding.SPLICE)
                     .eventLoops(2)
                     .drainTimeout(Duration.ZERO)
                     .start();
             ConnectionCrowd crowd = ConnectionCrowd.open(proxy.localAddress(), PAIRS)) {
            Await.until(() -> echo.accepted() == PAIRS && proxy.stats().activeConnections() == PAIRS,
                    Duration.ofSeconds(10), () -> "pairs open: " + proxy.stats());
            assertEquals(before, OpenPipes.count(), "no pipe for a pair that has carried nothing");

            crowd.echoAll(123, 512, false, Duration.ofSeconds(20));
            assertEquals(before + 4 * PAIRS, OpenPipes.count(), "a pipe (2 descriptors) per spliced direction");
        }
        Await.until(() -> OpenPipes.count() == before, Duration.ofSeconds(10),
                () -> "pipes closed with their connections: " + OpenPipes.count() + ", before " + before);
    }
}
