package dev.zeroproxy.upstream;

import static dev.zeroproxy.upstream.SmoothWeightedRoundRobinTest.counts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

class SourceHashTest {
    private static final int CLIENTS = 10_000;

    @Test
    void aClientAddressMapsToOneServerWhateverItsPort() {
        Balancer balancer = balancer(FakeServer.equal(3));

        for (int host = 1; host < 256; host++) {
            UpstreamServer first = balancer.pick(Clients.client(127, 0, 0, host, 1024), server -> true);
            for (int port = 1025; port < 1040; port++) {
                assertSame(first, balancer.pick(Clients.client(127, 0, 0, host, port), server -> true),
                        "127.0.0." + host + ":" + port);
            }
        }
    }

    @Test
    void twoHundredFiftySixAddressesSpreadEvenlyOverThreeServers() {
        Balancer balancer = balancer(FakeServer.equal(3));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            picks.add(balancer.pick(Clients.client(127, 0, i >>> 4, i & 15, 40000), server -> true).name());
        }

        Map<String, Integer> counts = counts(picks);

        assertEquals(3, counts.size(), counts.toString());
        counts.forEach((name, count) ->
                assertTrue(count >= 0.20 * 256 && count <= 0.47 * 256, counts.toString()));
    }

    @Test
    void weightsSetEachServersShare() {
        Balancer balancer = balancer(FakeServer.weighted(1, 1, 2));

        Map<String, Integer> counts = counts(names(balancer, server -> true));

        assertShare(counts.get("s0"), 0.25);
        assertShare(counts.get("s1"), 0.25);
        assertShare(counts.get("s2"), 0.50);
    }

    @Test
    void removingOneOfFiveServersMovesOnlyItsClients(TestReporter reporter) {
        List<FakeServer> servers = FakeServer.equal(5);
        Balancer balancer = balancer(servers);
        List<String> before = names(balancer, server -> true);
        List<FakeServer> remaining = new ArrayList<>(servers);
        FakeServer removed = remaining.remove(2);

        balancer.serversChanged(remaining);
        List<String> after = names(balancer, server -> true);

        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (!before.get(i).equals(after.get(i))) {
                assertEquals(removed.name(), before.get(i), "client " + i + " moved off a server still there");
                moved++;
            }
        }
        assertEquals(counts(before).get(removed.name()), moved, "every client of the removed server moved");
        assertShare(moved, 0.20);
        reporter.publishEntry("moved share", String.format("%.2f%%", 100.0 * moved / CLIENTS));
    }

    @Test
    void addingAServerTakesClientsOnlyForItself() {
        List<FakeServer> servers = FakeServer.equal(4);
        Balancer balancer = balancer(servers);
        List<String> before = names(balancer, server -> true);
        List<FakeServer> more = new ArrayList<>(servers);
        more.add(1, new FakeServer("new", 1));

        balancer.serversChanged(more);
        List<String> after = names(balancer, server -> true);

        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (!before.get(i).equals(after.get(i))) {
                assertEquals("new", after.get(i), "client " + i + " moved between old servers");
                moved++;
            }
        }
        assertShare(moved, 0.20);
    }

    @Test
    void anUnusableServerSendsOnlyItsOwnClientsElsewhereAndGetsThemBack() {
        List<FakeServer> servers = FakeServer.equal(5);
        Balancer balancer = balancer(servers);
        List<String> before = names(balancer, server -> true);
        FakeServer down = servers.get(4);

        List<String> during = names(balancer, server -> server != down);
        List<String> after = names(balancer, server -> true);

        for (int i = 0; i < CLIENTS; i++) {
            if (before.get(i).equals(down.name())) {
                assertTrue(!during.get(i).equals(down.name()), "client " + i + " still on the down server");
            } else {
                assertEquals(before.get(i), during.get(i), "client " + i + " of a usable server moved");
            }
        }
        assertEquals(before, after);
    }

    @Test
    void withOneServerUsableEveryClientGoesThere() {
        List<FakeServer> servers = FakeServer.equal(64);
        FakeServer backup = new FakeServer("backup", 1, true);
        List<FakeServer> withBackup = new ArrayList<>(servers);
        withBackup.add(backup);
        Balancer balancer = balancer(withBackup);

        for (int i = 0; i < 1_000; i++) {
            assertSame(backup, balancer.pick(Clients.numbered(i), UpstreamServer::backup));
        }
    }

    @Test
    void ipv6ClientsAreHashedByAddressToo() throws UnknownHostException {
        Balancer balancer = balancer(FakeServer.equal(3));
        InetAddress v6 = InetAddress.getByName("2001:db8::17");

        UpstreamServer first = balancer.pick(new InetSocketAddress(v6, 1), server -> true);

        assertNotNull(first);
        assertSame(first, balancer.pick(new InetSocketAddress(v6, 2), server -> true));
    }

    private static List<String> names(Balancer balancer, Predicate<UpstreamServer> usable) {
        List<String> names = new ArrayList<>(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            names.add(balancer.pick(Clients.numbered(i), usable).name());
        }
        return names;
    }

    /** Within five points of the expected share of {@link #CLIENTS}. */
    private static void assertShare(int count, double expected) {
        double share = (double) count / CLIENTS;
        assertTrue(Math.abs(share - expected) < 0.05, "share " + share + " (expected: about " + expected + ")");
    }

    private static Balancer balancer(List<FakeServer> servers) {
        Balancer balancer = new SourceHash();
        balancer.serversChanged(servers);
        return balancer;
    }
}
