package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.zeroproxy.upstream.Balance;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenParsingTest {

    @Test
    void aListenIsAFrontendAndABackendOfItsNameTheFrontendSendingToTheBackend() {
        ProxyFile file = parse("""
                defaults
                    timeout client 9s
                    timeout connect 2s
                listen db
                    bind :5432
                    maxconn 50
                    acl lan src 10.0.0.0/8
                    tcp-request connection reject if !lan
                    balance leastconn
                    server pg1 127.0.0.1:5433
                    server pg2 127.0.0.2:5433 backup
                """);
        FrontendSection frontend = file.frontends().get(0);
        BackendSection backend = file.backends().get(0);

        assertEquals("db", frontend.name());
        assertEquals("db", backend.name());
        assertEquals(new SourcePosition(Configs.FILE, 4, 1), frontend.where());
        assertEquals(frontend.where(), backend.where());
        assertEquals(new Located<>("db", "listen", new SourcePosition(Configs.FILE, 4, 8)), frontend.defaultBackend());
        assertEquals(50, frontend.maxConn().value());
        assertEquals(Duration.ofSeconds(9), frontend.timeoutClient().value());
        assertEquals(1, frontend.rules().size());
        assertSame(Balance.LEAST_CONNECTIONS, backend.balance().value());
        assertEquals(Duration.ofSeconds(2), backend.timeoutConnect().value());
        assertEquals(List.of("pg1", "pg2"), backend.servers().stream().map(ServerLine::name).toList());
    }

    @Test
    void aListenIgnoresTheDefaultsDefaultBackendButHonoursItsOwn() {
        ProxyFile file = parse("defaults\n    default_backend app\n" + BACKEND + """
                listen mine
                    bind :1
                    server s 127.0.0.1:1
                listen routed
                    bind :2
                    default_backend app
                    server s 127.0.0.1:2
                """);

        assertEquals("mine", file.frontends().get(0).defaultBackend().value());
        assertEquals("app", file.frontends().get(1).defaultBackend().value());
    }

    @Test
    void frontendsAndBackendsKeepFileOrder() {
        ProxyFile file = parse("listen a\n    bind :1\n    server s 127.0.0.1:1\n"
                + "frontend b\n    bind :2\n    default_backend app\n" + BACKEND);

        assertEquals(List.of("a", "b"), file.frontends().stream().map(FrontendSection::name).toList());
        assertEquals(List.of("a", "app"), file.backends().stream().map(BackendSection::name).toList());
    }

    @Test
    void aFrontendAndABackendMayShareANameAsInHaproxy() {
        ProxyFile file = parse("frontend app\n    bind :1\n    default_backend app\n" + BACKEND);

        assertEquals("app", file.frontends().get(0).name());
        assertEquals("app", file.backends().get(0).name());
    }
}
