package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.upstream.Balance;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GlobalAndDefaultsTest {
    private static final String FRONTEND = "frontend web\n    bind :8080\n    default_backend app\n";

    @Test
    void globalKeywordsAreReadWithTheirPositions() {
        GlobalSection global = parse("global\n    maxconn 4000\n    nbthread 4\n    hard-stop-after 30s\n"
                + "    transport io_uring\n" + FRONTEND + BACKEND).global();

        assertEquals(new Located<>(4000, "maxconn", new SourcePosition(Configs.FILE, 2, 13)), global.maxConn());
        assertEquals(4, global.nbThread().value());
        assertEquals(Duration.ofSeconds(30), global.hardStopAfter().value());
        assertEquals("hard-stop-after", global.hardStopAfter().keyword());
        assertEquals("io_uring", global.transport().value());
    }

    @Test
    void aFileWithoutGlobalHasNoGlobalSettings() {
        assertEquals(GlobalSection.NONE, parse(FRONTEND + BACKEND).global());
    }

    @Test
    void severalGlobalSectionsAddUpAndTheLastValueWins() {
        GlobalSection global = parse("global\n    maxconn 10\n    nbthread 2\nglobal\n    maxconn 20\n" + FRONTEND
                + BACKEND).global();

        assertEquals(20, global.maxConn().value());
        assertEquals(5, global.maxConn().where().line());
        assertEquals(2, global.nbThread().value());
    }

    @Test
    void defaultsApplyToEverySectionAfterThemUntilTheNextDefaultsWhichStartsFromNothing() {
        ProxyFile file = parse("""
                defaults
                    timeout client 10s
                    timeout connect 1s
                    retries 5
                frontend one
                    bind :8081
                    default_backend a
                backend a
                    server s 127.0.0.1:1
                defaults second
                    timeout client 20s
                frontend two
                    bind :8082
                    default_backend b
                backend b
                    server s 127.0.0.1:2
                """);

        assertEquals(Duration.ofSeconds(10), file.frontends().get(0).timeoutClient().value());
        assertEquals(2, file.frontends().get(0).timeoutClient().where().line());
        assertEquals(Duration.ofSeconds(1), file.backend("a").orElseThrow().timeoutConnect().value());
        assertEquals(5, file.backend("a").orElseThrow().retries().value());
        assertEquals(Duration.ofSeconds(20), file.frontends().get(1).timeoutClient().value());
        // The second defaults section says nothing of timeout connect or retries: nothing is inherited.
        assertNull(file.backend("b").orElseThrow().timeoutConnect());
        assertNull(file.backend("b").orElseThrow().retries());
    }

    @Test
    void aSectionOverridesWhatItsDefaultsSay() {
        ProxyFile file = parse("defaults\n    maxconn 100\n    balance leastconn\n" + FRONTEND
                + "    maxconn 5\nbackend app\n    balance source\n    server s1 127.0.0.1:9000\n");

        assertEquals(5, file.frontends().get(0).maxConn().value());
        assertEquals(Balance.SOURCE_HASH, file.backends().get(0).balance().value());
        assertEquals(9, file.backends().get(0).balance().where().line());
    }

    @Test
    void defaultsCarryEveryInheritableSetting() {
        ProxyFile file = parse("""
                defaults
                    mode tcp
                    maxconn 100
                    timeout client 1s
                    timeout client-fin 2s
                    default_backend app
                    forwarding splice
                    splice-threshold 1m
                    balance random
                    retries 2
                    option redispatch
                    timeout connect 3s
                    timeout server 4s
                    timeout server-fin 5s
                    timeout tunnel 6s
                    timeout queue 7s
                    timeout check 8s
                    source 127.0.0.9
                    default-server check weight 7
                frontend web
                    bind :8080
                backend app
                    server s1 127.0.0.1:9000
                """);
        FrontendSection frontend = file.frontends().get(0);
        BackendSection backend = file.backends().get(0);

        assertEquals(100, frontend.maxConn().value());
        assertEquals(Duration.ofSeconds(1), frontend.timeoutClient().value());
        assertEquals(Duration.ofSeconds(2), frontend.timeoutClientFin().value());
        assertEquals("app", frontend.defaultBackend().value());
        assertSame(Forwarding.SPLICE, frontend.forwarding().value());
        assertEquals(1L << 20, frontend.spliceThreshold().value());
        assertSame(Balance.RANDOM_TWO_CHOICES, backend.balance().value());
        assertEquals(2, backend.retries().value());
        assertEquals(true, backend.redispatch().value());
        assertEquals(Duration.ofSeconds(3), backend.timeoutConnect().value());
        assertEquals(Duration.ofSeconds(4), backend.timeoutServer().value());
        assertEquals(Duration.ofSeconds(5), backend.timeoutServerFin().value());
        assertEquals(Duration.ofSeconds(6), backend.timeoutTunnel().value());
        assertEquals(Duration.ofSeconds(7), backend.timeoutQueue().value());
        assertEquals(Duration.ofSeconds(8), backend.timeoutCheck().value());
        assertEquals(Configs.address("127.0.0.9"), backend.source().value());
        assertEquals(7, backend.servers().get(0).weight().value());
        assertEquals(19, backend.servers().get(0).weight().where().line());
        assertEquals(true, backend.servers().get(0).check());
    }

    @Test
    void noOptionRedispatchTurnsOffWhatDefaultsTurnedOn() {
        BackendSection backend = parse("defaults\n    option redispatch\n" + FRONTEND
                + "backend app\n    no option redispatch\n    server s1 127.0.0.1:9000\n").backends().get(0);

        assertFalse(backend.redispatch().value());
        assertEquals("no option redispatch", backend.redispatch().keyword());
        assertEquals(new SourcePosition(Configs.FILE, 7, 5), backend.redispatch().where());
    }

    @Test
    void theLastLineOfAOneValueKeywordWinsWithoutError() {
        BackendSection backend = parse(FRONTEND + "backend app\n    balance roundrobin\n    balance leastconn\n"
                + "    server s1 127.0.0.1:9000\n").backends().get(0);

        assertSame(Balance.LEAST_CONNECTIONS, backend.balance().value());
        assertEquals(6, backend.balance().where().line());
    }
}
