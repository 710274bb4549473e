package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.upstream.Balance;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendParsingTest {
    private static final String FRONTEND = "frontend web\n    bind :8080\n    default_backend app\n";

    /** The backend {@code app}, its header on line 4. */
    private static BackendSection backend(String lines) {
        return parse(FRONTEND + "backend app\n" + lines).backend("app").orElseThrow();
    }

    @Test
    void everyBackendKeywordIsRead() {
        BackendSection backend = backend("""
                    mode tcp
                    balance leastconn
                    retries 3
                    option redispatch
                    timeout connect 1s
                    timeout server 2m
                    timeout server-fin 3s
                    timeout tunnel 1h
                    timeout queue 4s
                    timeout check 500ms
                    source 127.0.0.5
                    server s1 127.0.0.1:9000
                """);

        assertEquals("app", backend.name());
        assertEquals(new SourcePosition(Configs.FILE, 4, 1), backend.where());
        assertEquals(new Located<>(Balance.LEAST_CONNECTIONS, "balance", new SourcePosition(Configs.FILE, 6, 13)),
                backend.balance());
        assertEquals(3, backend.retries().value());
        assertEquals(new Located<>(true, "option redispatch", new SourcePosition(Configs.FILE, 8, 5)),
                backend.redispatch());
        assertEquals(Duration.ofSeconds(1), backend.timeoutConnect().value());
        assertEquals("timeout connect", backend.timeoutConnect().keyword());
        assertEquals(Duration.ofMinutes(2), backend.timeoutServer().value());
        assertEquals(Duration.ofSeconds(3), backend.timeoutServerFin().value());
        assertEquals(Duration.ofHours(1), backend.timeoutTunnel().value());
        assertEquals(Duration.ofSeconds(4), backend.timeoutQueue().value());
        assertEquals(Duration.ofMillis(500), backend.timeoutCheck().value());
        assertEquals(new Located<>(Configs.address("127.0.0.5"), "source", new SourcePosition(Configs.FILE, 15, 12)),
                backend.source());
        assertEquals(1, backend.servers().size());
    }

    @Test
    void balanceKeywordsMapToTheirBalances() {
        assertSame(Balance.ROUND_ROBIN, backend("    balance roundrobin\n    server s 127.0.0.1:1\n").balance().value());
        assertSame(Balance.SOURCE_HASH, backend("    balance source\n    server s 127.0.0.1:1\n").balance().value());
        // HAProxy's random draws two servers by default: random and random(2) are the same.
        assertSame(Balance.RANDOM_TWO_CHOICES, backend("    balance random\n    server s 127.0.0.1:1\n").balance()
                .value());
        assertSame(Balance.RANDOM_TWO_CHOICES, backend("    balance random(2)\n    server s 127.0.0.1:1\n").balance()
                .value());
    }

    @Test
    void everyServerOptionIsRead() {
        ServerLine server = backend("    server s1 127.0.0.1:9000 weight 50 check inter 2s rise 3 fall 4 maxconn 100 "
                + "backup send-proxy-v2 source 127.0.0.6\n").servers().get(0);

        assertEquals("s1", server.name());
        assertEquals(new SourcePosition(Configs.FILE, 5, 5), server.where());
        assertEquals(new InetSocketAddress(Configs.address("127.0.0.1"), 9000), server.address());
        assertEquals(new Located<>(50, "weight", new SourcePosition(Configs.FILE, 5, 37)), server.weight());
        assertTrue(server.check());
        assertEquals(new Located<>(Duration.ofSeconds(2), "inter", new SourcePosition(Configs.FILE, 5, 52)),
                server.inter());
        assertEquals(3, server.rise().value());
        assertEquals(4, server.fall().value());
        assertEquals(100, server.maxConn().value());
        assertEquals("maxconn", server.maxConn().keyword());
        assertTrue(server.backup());
        assertEquals(2, server.sendProxy());
        assertEquals(Configs.address("127.0.0.6"), server.source().value());
    }

    @Test
    void aServerWithoutOptionsHasNone() {
        ServerLine server = backend("    server s1 localhost:9000\n").servers().get(0);

        assertEquals(new InetSocketAddress(Configs.address("127.0.0.1"), 9000), server.address());
        assertNull(server.weight());
        assertFalse(server.check());
        assertNull(server.inter());
        assertNull(server.rise());
        assertNull(server.fall());
        assertNull(server.maxConn());
        assertFalse(server.backup());
        assertEquals(0, server.sendProxy());
        assertNull(server.source());
    }

    @Test
    void serverAddressesMayBeIpv6OrNamesResolvedInTheirFamily() {
        List<ServerLine> servers = backend("""
                    server a [::1]:1
                    server b ip6-localhost:2
                    server c ipv4@twin:3
                    server d twin:4
                """).servers();

        assertEquals(List.of(new InetSocketAddress(Configs.address("::1"), 1),
                new InetSocketAddress(Configs.address("::1"), 2), new InetSocketAddress(Configs.address("127.0.0.3"), 3),
                new InetSocketAddress(Configs.address("::1"), 4)), servers.stream().map(ServerLine::address).toList());
    }

    @Test
    void defaultServerMergesFromDefaultsThenTheBackendThenTheServerLine() {
        ProxyFile file = parse("defaults\n    default-server check inter 5s weight 10\n" + FRONTEND + """
                backend app
                    default-server weight 20 send-proxy
                    server a 127.0.0.1:1
                    server b 127.0.0.1:2 weight 30 no-check no-send-proxy
                    default-server backup
                    server c 127.0.0.1:3 send-proxy-v2
                """);
        List<ServerLine> servers = file.backend("app").orElseThrow().servers();
        ServerLine a = servers.get(0);
        ServerLine b = servers.get(1);
        ServerLine c = servers.get(2);

        assertTrue(a.check());
        assertEquals(new Located<>(Duration.ofSeconds(5), "inter", new SourcePosition(Configs.FILE, 2, 32)), a.inter());
        assertEquals(new Located<>(20, "weight", new SourcePosition(Configs.FILE, 7, 27)), a.weight());
        assertEquals(1, a.sendProxy());
        // A default-server line applies to the servers after it only.
        assertFalse(a.backup());
        assertFalse(b.check());
        assertEquals(30, b.weight().value());
        assertEquals(0, b.sendProxy());
        assertTrue(c.backup());
        assertEquals(2, c.sendProxy());
        assertEquals(20, c.weight().value());
    }

    @Test
    void noSendProxyV2LeavesVersionOneAlone() {
        ServerLine server = backend("    default-server send-proxy\n    server a 127.0.0.1:1 no-send-proxy-v2\n")
                .servers().get(0);

        assertEquals(1, server.sendProxy());
    }

    @Test
    void serversKeepTheirOrder() {
        List<ServerLine> servers = backend("    server c 127.0.0.1:3\n    server a 127.0.0.1:1\n    server b "
                + "127.0.0.1:2\n").servers();

        assertEquals(List.of("c", "a", "b"), servers.stream().map(ServerLine::name).toList());
    }
}
