package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

    @Test
    void weightsFiveOneOneGiveNginxsSpreadSequence() {
        List<FakeServer> servers = FakeServer.weighted(5, 1, 1);
        Balancer balancer = balancer(servers);

        List<String> picks = picks(balancer, 14, server -> true);

        assertEquals(List.of("s0", "s0", "s1", "s0", "s2", "s0", "s0", "s0", "s0", "s1", "s0", "s2", "s0", "s0"), picks);
    }

    @Test
    void thousandPicksGiveEachServerExactlyItsShare() {
        Balancer balancer = balancer(FakeServer.weighted(5, 3, 2));

        Map<String, Integer> counts = counts(picks(balancer, 1000, server -> true));

        assertEquals(Map.of("s0", 500, "s1", 300, "s2", 200), counts);
    }

    @Test
    void noServerEverRunsAFullPickAheadOfOrBehindItsShare() {
        int[] weights = {7, 5, 3, 2, 1};
        Balancer balancer = balancer(FakeServer.weighted(weights));
        int total = 18;
        int[] counts = new int[weights.length];

        for (int t = 1; t <= 1800; t++) {
            String name = balancer.pick(Clients.ANY, server -> true).name();
            counts[Integer.parseInt(name.substring(1))]++;
            for (int i = 0; i < weights.length; i++) {
                double deviation = Math.abs(counts[i] - (double) t * weights[i] / total);
                assertTrue(deviation < 1, "after " + t + " picks s" + i + " has " + counts[i]);
            }
        }
    }

    @Test
    void anUnusableServerIsSkippedAndTheOthersStayExact() {
        List<FakeServer> servers = FakeServer.weighted(5, 3, 2);
        Balancer balancer = balancer(servers);
        FakeServer down = servers.get(0);

        Map<String, Integer> counts = counts(picks(balancer, 1000, server -> server != down));

        assertEquals(Map.of("s1", 600, "s2", 400), counts);
    }

    @Test
    void aServerBackAfterBeingSkippedGetsItsShareAgain() {
        List<FakeServer> servers = FakeServer.weighted(1, 1);
        Balancer balancer = balancer(servers);
        FakeServer s0 = servers.get(0);
        picks(balancer, 7, server -> server != s0);

        Map<String, Integer> counts = counts(picks(balancer, 100, server -> true));

        assertEquals(Map.of("s0", 50, "s1", 50), counts);
    }

    @Test
    void serversChangedStartsTheSequenceAfresh() {
        List<FakeServer> servers = FakeServer.weighted(5, 1, 1);
        Balancer balancer = balancer(servers);
        picks(balancer, 3, server -> true);

        balancer.serversChanged(servers);

        assertEquals(List.of("s0", "s0", "s1", "s0", "s2", "s0", "s0"), picks(balancer, 7, server -> true));
    }

    private static Balancer balancer(List<FakeServer> servers) {
        Balancer balancer = new SmoothWeightedRoundRobin();
        balancer.serversChanged(servers);
        return balancer;
    }

    static List<String> picks(Balancer balancer, int count, Predicate<UpstreamServer> usable) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(balancer.pick(Clients.ANY, usable).name());
        }
        return names;
    }

    static Map<String, Integer> counts(List<String> names) {
        Map<String, Integer> counts = new HashMap<>();
        for (String name : names) {
            counts.merge(name, 1, Integer::sum);
        }
        return counts;
    }
}
