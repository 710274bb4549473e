package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.testkit.TaggedServer;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedding example of docs/upstreams.md, run as written: ten lines balance over three
 * loopback servers with checks and retries. If this test needs a change, so does the doc.
 */
@Timeout(60)
class GroupEmbeddingExampleTest {

    @Test
    void tenLinesBalanceOverThreeLoopbackServersWithChecksAndRetries() throws IOException {
        try (TaggedServer a = TaggedServer.start('a'); TaggedServer b = TaggedServer.start('b');
                TaggedServer c = TaggedServer.start('c')) {
            // ---- the example (docs/upstreams.md, "Embedding") ----
            UpstreamGroup app = UpstreamGroup.builder("app")
                    .server("a", a.address())
                    .server("b", b.address())
                    .server("c", c.address())
                    .balance(Balance.LEAST_CONNECTIONS)
                    .healthCheck(HealthCheck.tcp())          // every 2 s, down after 3 failures, up after 2
                    .retries(3)                              // each on another server
                    .build();
            try (Proxy proxy = Proxy.builder().listen(new InetSocketAddress("127.0.0.1", 0)).upstream(app).start()) {
                // ---- end of the example ----
                b.stopListening();
                Map<Integer, Integer> served = new HashMap<>();
                for (int i = 0; i < 12; i++) {
                    try (Socket client = new Socket()) {
                        client.connect(proxy.localAddress(), 5_000);
                        client.setSoTimeout(10_000);
                        served.merge(client.getInputStream().read(), 1, Integer::sum);
                    }
                }
                // b refuses: each connection leastconn sends there is retried on a or c, none fails.
                assertEquals(12, served.getOrDefault((int) 'a', 0) + served.getOrDefault((int) 'c', 0),
                        "served by a and c: " + served);
                assertTrue(app.servers().stream().map(ServerSnapshot::state).allMatch(s -> s == ServerState.UP
                        || s == ServerState.EJECTED), "states: " + app.servers());
            }
        }
    }
}
