package dev.zeroproxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SourcePoolTest {
    private static final InetAddress A = ip("127.0.0.2");
    private static final InetAddress B = ip("127.0.0.3");
    private static final InetAddress C = ip("127.0.0.4");

    @Test
    void roundRobinGoesThroughTheAddressesInOrder() {
        SourcePool pool = SourcePool.roundRobin(A, B, C);
        List<InetAddress> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(pool.pick(client("10.0.0.1", 1000 + i)));
        }
        assertEquals(List.of(A, B, C, A, B, C, A), picks);
        assertEquals(SourcePool.Mode.ROUND_ROBIN, pool.mode());
        assertEquals(List.of(A, B, C), pool.addresses());
    }

    @Test
    void roundRobinTakesTurnsPerServer() {
        SourcePool pool = SourcePool.roundRobin(A, B, C, ip("127.0.0.5"));
        InetSocketAddress one = client("10.1.0.1", 80);
        InetSocketAddress two = client("10.1.0.2", 80);
        Map<InetSocketAddress, List<InetAddress>> seen = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            // Servers taken in turn, as a round-robin group does: each must still get every source.
            InetSocketAddress server = i % 2 == 0 ? one : two;
            seen.computeIfAbsent(server, k -> new ArrayList<>()).add(pool.pick(null, server));
        }
        assertEquals(pool.addresses(), seen.get(one));
        assertEquals(pool.addresses(), seen.get(two));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void roundRobinFromManyThreadsStaysEven() throws Exception {
        SourcePool pool = SourcePool.roundRobin(A, B, C);
        Map<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();
        int threads = 4;
        int each = 30_000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    counts.computeIfAbsent(pool.pick(null), k -> new AtomicInteger()).incrementAndGet();
                }
                done.countDown();
            });
            worker.setDaemon(true);
            worker.start();
        }
        assertTrue(done.await(15, TimeUnit.SECONDS), "pickers finished");
        for (InetAddress source : pool.addresses()) {
            assertEquals(threads * each / 3, counts.get(source).get(), "picks of " + source);
        }
    }

    @Test
    void clientHashDependsOnTheClientAddressOnly() {
        SourcePool pool = SourcePool.clientHash(A, B, C);
        Map<InetAddress, Integer> spread = new HashMap<>();
        for (int host = 1; host <= 200; host++) {
            String ip = "10.0." + (host / 100) + "." + (host % 100);
            InetAddress first = pool.pick(client(ip, 1));
            for (int port = 2; port < 50; port += 7) {
                assertSame(first, pool.pick(client(ip, port)), ip + " from port " + port);
            }
            spread.merge(first, 1, Integer::sum);
        }
        assertEquals(3, spread.size(), "sources used for 200 clients: " + spread);
        spread.values().forEach(n -> assertTrue(n > 40, "an uneven spread over 200 clients: " + spread));
        // The same address, as a different object, maps alike: the hash is of its value.
        assertSame(pool.pick(client("10.0.0.7", 1)), pool.pick(client("10.0.0.7", 9)));
        assertSame(A, pool.pick(InetSocketAddress.createUnresolved("client", 1)), "unresolved: the first");
        assertSame(A, pool.pick(null), "none: the first");
    }

    @Test
    void ipv6AddressesAreAccepted() {
        SourcePool pool = SourcePool.clientHash(ip("::1"), ip("fd00::2"));
        assertTrue(pool.addresses().contains(pool.pick(client("fd00::99", 5))));
    }

    @Test
    void badAddressListsAreRefusedNamingTheAddress() {
        assertInvalid("sourcePool: [] (expected: at least one local address)", () -> SourcePool.roundRobin());
        assertInvalid("sourcePool: 127.0.0.3 (expected: each address once)", () -> SourcePool.roundRobin(A, B, B));
        assertInvalid("sourcePool: 0.0.0.0 (expected: a specific local address, not the wildcard)",
                () -> SourcePool.roundRobin(ip("0.0.0.0")));
        assertInvalid("sourcePool: 0:0:0:0:0:0:0:0 (expected: a specific local address, not the wildcard)",
                () -> SourcePool.clientHash(ip("::")));
        assertInvalid("sourcePool: 224.0.0.1 (expected: a unicast local address)",
                () -> SourcePool.roundRobin(A, ip("224.0.0.1")));
        assertInvalid("sourcePool: 0:0:0:0:0:0:0:1 (expected: addresses of one family, IPv4 as the first, 127.0.0.2)",
                () -> SourcePool.roundRobin(A, ip("::1")));
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> SourcePool.of(SourcePool.Mode.ROUND_ROBIN, Arrays.asList(A, null)));
        assertEquals("addresses[1]", missing.getMessage());
        assertEquals("mode", assertThrows(NullPointerException.class, () -> SourcePool.of(null, List.of(A))).getMessage());
    }

    @Test
    void builderKeepsThePoolAndRefusesAnAddressThisMachineLacks() {
        SourcePool pool = SourcePool.clientHash(ip("127.0.0.1"));
        ProxyConfig config = Proxy.builder()
                .listen(new InetSocketAddress(ip("127.0.0.1"), 0))
                .upstream(new InetSocketAddress(ip("127.0.0.1"), 9))
                .sourcePool(pool)
                .build();
        assertEquals(Optional.of(pool), config.sourcePool());
        assertEquals(Optional.of(pool), config.toBuilder().build().sourcePool());
        assertTrue(config.toString().contains("sourcePool=CLIENT_HASH[127.0.0.1]"), config.toString());
        assertEquals(Optional.empty(), config.toBuilder().sourcePool(null).build().sourcePool());

        // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Proxy.builder()
                .listen(new InetSocketAddress(ip("127.0.0.1"), 0))
                .upstream(new InetSocketAddress(ip("127.0.0.1"), 9))
                .sourcePool(SourcePool.roundRobin(ip("127.0.0.1"), ip("192.0.2.1")))
                .build());
        assertEquals("sourcePool", e.setting());
        assertEquals("192.0.2.1", e.value());
        assertTrue(e.getMessage().startsWith("sourcePool: 192.0.2.1 cannot be bound here ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("(expected: an address of this machine)"), e.getMessage());
    }

    private static void assertInvalid(String message, Runnable call) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, call::run);
        assertEquals(message, e.getMessage());
        assertEquals("sourcePool", e.setting());
    }

    private static InetSocketAddress client(String ip, int port) {
        return new InetSocketAddress(ip(ip), port);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
