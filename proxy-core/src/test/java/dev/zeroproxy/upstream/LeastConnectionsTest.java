package dev.zeroproxy.upstream;

import static dev.zeroproxy.upstream.SmoothWeightedRoundRobinTest.counts;
import static dev.zeroproxy.upstream.SmoothWeightedRoundRobinTest.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    @Test
    void longLivedConnectionsKeepEqualServersWithinOneOfEachOther() {
        List<FakeServer> servers = FakeServer.equal(3);
        Balancer balancer = balancer(servers);

        for (int i = 0; i < 300; i++) {
            ((FakeServer) balancer.pick(Clients.ANY, server -> true)).opened();
            int max = servers.stream().mapToInt(FakeServer::activeConnections).max().getAsInt();
            int min = servers.stream().mapToInt(FakeServer::activeConnections).min().getAsInt();
            assertTrue(max - min <= 1, "after " + (i + 1) + " picks: " + max + " vs " + min);
        }
        servers.forEach(server -> assertEquals(100, server.activeConnections(), server.name()));
    }

    @Test
    void longLivedConnectionsAreSharedInProportionToWeight() {
        List<FakeServer> servers = FakeServer.weighted(3, 2, 1);
        Balancer balancer = balancer(servers);

        for (int i = 0; i < 600; i++) {
            ((FakeServer) balancer.pick(Clients.ANY, server -> true)).opened();
        }

        assertEquals(List.of(300, 200, 100), servers.stream().map(FakeServer::activeConnections).toList());
    }

    @Test
    void equalLoadsTakeTurns() {
        Balancer balancer = balancer(FakeServer.equal(3));

        List<String> picks = picks(balancer, 300, server -> true);

        assertEquals(Map.of("s0", 100, "s1", 100, "s2", 100), counts(picks));
        for (int i = 1; i < picks.size(); i++) {
            assertNotEquals(picks.get(i - 1), picks.get(i), "picks " + (i - 1) + " and " + i);
        }
    }

    @Test
    void theLoadComparedIsActiveConnectionsPerUnitOfWeight() {
        List<FakeServer> servers = List.of(
                new FakeServer("heavy", 4).active(6), // 1.5 per unit
                new FakeServer("light", 1).active(2)); // 2 per unit
        Balancer balancer = balancer(servers);

        for (int i = 0; i < 10; i++) {
            assertSame(servers.get(0), balancer.pick(Clients.ANY, server -> true));
        }
    }

    @Test
    void theLeastLoadedServerIsSkippedWhenUnusable() {
        List<FakeServer> servers = List.of(
                new FakeServer("idle", 1).active(0),
                new FakeServer("busy", 1).active(9),
                new FakeServer("middle", 1).active(4));
        Balancer balancer = balancer(servers);

        for (int i = 0; i < 10; i++) {
            assertSame(servers.get(2), balancer.pick(Clients.ANY, server -> server != servers.get(0)));
        }
    }

    private static Balancer balancer(List<FakeServer> servers) {
        Balancer balancer = new LeastConnections();
        balancer.serversChanged(servers);
        return balancer;
    }
}
