package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalanceTest {

    @Test
    void eachKeywordNamesItsBalance() {
        assertEquals(List.of("roundrobin", "leastconn", "random2", "source"),
                List.of(Balance.values()).stream().map(Balance::keyword).toList());
        for (Balance balance : Balance.values()) {
            assertSame(balance, Balance.ofKeyword(balance.keyword()));
        }
    }

    @Test
    void anUnknownKeywordIsRefusedNamingTheValueAndTheKeywords() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Balance.ofKeyword("leastconns"));

        assertEquals("balance: 'leastconns' (expected: one of roundrobin, leastconn, random2, source)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Balance.ofKeyword("ROUNDROBIN"));
        assertThrows(IllegalArgumentException.class, () -> Balance.ofKeyword(""));
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Balance.ofKeyword(null));
        assertEquals("keyword", npe.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void eachNewBalancerIsANewInstance(Balance balance) {
        assertNotSame(balance.newBalancer(), balance.newBalancer());
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void noUsableServerIsNull(Balance balance) {
        Balancer balancer = balancer(balance, FakeServer.weighted(1, 2, 3));

        assertNull(balancer.pick(Clients.ANY, server -> false));
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void noServersYetIsNull(Balance balance) {
        assertNull(balance.newBalancer().pick(Clients.ANY, server -> true));
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void aBackupIsPickedWhenThePredicateRejectsEveryPrimary(Balance balance) {
        List<FakeServer> servers = new ArrayList<>(FakeServer.equal(64));
        FakeServer backup = new FakeServer("backup", 1, true);
        servers.add(backup);
        Balancer balancer = balancer(balance, servers);

        for (int i = 0; i < 100; i++) {
            assertSame(backup, balancer.pick(Clients.numbered(i), UpstreamServer::backup));
        }
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    @Timeout(30)
    void concurrentPicksNeverReturnARejectedServerWhileTheListChanges(Balance balance) throws Exception {
        List<FakeServer> servers = FakeServer.equal(8);
        Balancer balancer = balancer(balance, servers);
        AtomicBoolean stop = new AtomicBoolean();
        // Changes start once every picker is picking, so that the two really overlap.
        CountDownLatch picking = new CountDownLatch(3);
        ExecutorService pickers = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                results.add(pickers.submit(() -> {
                    int picks = 0;
                    while (!stop.get()) {
                        if (picks == 1_000) {
                            picking.countDown();
                        }
                        UpstreamServer picked = balancer.pick(Clients.numbered(picks), server -> !server.name().equals("s0"));
                        assertNotNull(picked);
                        assertTrue(!picked.name().equals("s0"), picked.name());
                        picks++;
                    }
                    return picks;
                }));
            }
            picking.await();
            for (int change = 0; change < 200; change++) {
                balancer.serversChanged(servers.subList(0, 2 + change % 7));
            }
            stop.set(true);
            for (Future<Integer> result : results) {
                assertTrue(result.get() >= 1_000); // and rethrows a picker's failed assertion
            }
        } finally {
            pickers.shutdownNow();
        }
    }

    private static Balancer balancer(Balance balance, List<FakeServer> servers) {
        Balancer balancer = balance.newBalancer();
        balancer.serversChanged(servers);
        return balancer;
    }
}
