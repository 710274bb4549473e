package dev.zeroproxy.upstream;

import static dev.zeroproxy.upstream.SmoothWeightedRoundRobinTest.counts;
import static dev.zeroproxy.upstream.SmoothWeightedRoundRobinTest.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomTwoChoicesTest {

    @Test
    void theBusiestOfThreeIsNeverPicked() {
        List<FakeServer> servers = List.of(
                new FakeServer("s0", 1).active(10),
                new FakeServer("s1", 1).active(3),
                new FakeServer("s2", 1).active(5));
        Balancer balancer = balancer(servers);

        Map<String, Integer> counts = counts(picks(balancer, 10_000, server -> true));

        assertFalse(counts.containsKey("s0"), counts.toString());
        // s2 wins only the pair {s0, s2}: a third of the draws.
        int s2 = counts.getOrDefault("s2", 0);
        assertTrue(s2 > 2_500 && s2 < 4_200, counts.toString());
    }

    @Test
    void theBusiestUsableServerIsNeverPickedWhenMostServersAreRejected() {
        List<FakeServer> servers = new ArrayList<>(FakeServer.equal(10));
        servers.set(2, new FakeServer("busy", 1).active(10));
        servers.set(5, new FakeServer("idle", 1).active(3));
        servers.set(8, new FakeServer("middle", 1).active(5));
        Set<UpstreamServer> usable = Set.of(servers.get(2), servers.get(5), servers.get(8));
        Balancer balancer = balancer(servers);

        Map<String, Integer> counts = counts(picks(balancer, 10_000, usable::contains));

        assertEquals(Set.of("idle", "middle"), counts.keySet());
        int middle = counts.get("middle");
        assertTrue(middle > 2_500 && middle < 4_200, counts.toString());
    }

    @Test
    void theOnlyUsableServerIsPicked() {
        List<FakeServer> servers = FakeServer.equal(5);
        servers.get(3).active(100);
        Balancer balancer = balancer(servers);

        for (int i = 0; i < 1_000; i++) {
            assertSame(servers.get(3), balancer.pick(Clients.ANY, server -> server == servers.get(3)));
        }
    }

    @Test
    void noUsableServerIsNull() {
        Balancer balancer = balancer(FakeServer.equal(5));

        assertNull(balancer.pick(Clients.ANY, server -> false));
    }

    @Test
    void equalLoadsSpreadEvenly() {
        Balancer balancer = balancer(FakeServer.equal(4));

        Map<String, Integer> counts = counts(picks(balancer, 8_000, server -> true));

        assertEquals(4, counts.size());
        counts.forEach((name, count) -> assertTrue(count > 1_700 && count < 2_300, counts.toString()));
    }

    @Test
    void theLoadComparedIsActiveConnectionsPerUnitOfWeight() {
        List<FakeServer> servers = List.of(
                new FakeServer("heavy", 10).active(10), // 1 per unit
                new FakeServer("light", 1).active(2)); // 2 per unit
        Balancer balancer = balancer(servers);

        assertEquals(Map.of("heavy", 100), counts(picks(balancer, 100, server -> true)));
    }

    private static Balancer balancer(List<FakeServer> servers) {
        Balancer balancer = new RandomTwoChoices();
        balancer.serversChanged(servers);
        return balancer;
    }
}
