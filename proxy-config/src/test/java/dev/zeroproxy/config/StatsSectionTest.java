package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stats section read: a {@code listen} (or {@code frontend}) in {@code mode http} with
 * {@code stats enable} is the admin endpoint, not a frontend. Each good file here is also
 * checked by {@code haproxy -c} ({@link Configs#parse}); the errors are {@link StatsErrorsTest}'s.
 */
class StatsSectionTest {
    /** A tcp frontend and its backend, lines 1 to 5. */
    static final String TCP = "frontend web\n    bind :8080\n    default_backend app\n" + BACKEND;

    @Test
    void aListenWithStatsEnableIsTheStatsSectionWithItsAddressPathAndRefreshAtTheirLines() {
        ProxyFile file = parse(TCP + """
                listen stats
                    mode http
                    bind 127.0.0.1:8404
                    stats enable
                    stats uri /admin
                    stats refresh 10s
                """);
        StatsSection stats = file.stats().orElseThrow();

        assertEquals("stats", stats.name());
        assertEquals(new SourcePosition(Configs.FILE, 6, 1), stats.where());
        assertEquals(new Located<>(new InetSocketAddress(Configs.address("127.0.0.1"), 8404), "bind",
                new SourcePosition(Configs.FILE, 8, 10)), stats.address());
        assertEquals(new Located<>("/admin", "stats uri", new SourcePosition(Configs.FILE, 10, 15)), stats.uri());
        assertEquals(Duration.ofSeconds(10), stats.refresh().value());
        assertEquals("/admin", stats.uriOrDefault());
        assertEquals(Duration.ofSeconds(10), stats.refreshOrDefault());
        assertEquals("127.0.0.1:8404/admin, refresh 10s", stats.describe());
    }

    @Test
    void theStatsSectionIsNeitherAFrontendNorABackend() {
        ProxyFile file = parse(TCP + "listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n");

        assertEquals(List.of("web"), file.frontends().stream().map(FrontendSection::name).toList());
        assertEquals(List.of("app"), file.backends().stream().map(BackendSection::name).toList());
        assertTrue(file.stats().isPresent());
        Deployment.check(file);
    }

    @Test
    void withoutUriOrRefreshThePathIsSlashStatsAndThePageRefreshesEveryFiveSeconds() {
        StatsSection stats = parse(TCP + "listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n")
                .stats().orElseThrow();

        assertNull(stats.uri());
        assertNull(stats.refresh());
        assertEquals("/stats", stats.uriOrDefault());
        assertEquals(Duration.ofSeconds(5), stats.refreshOrDefault());
    }

    @Test
    void aRefreshOfZeroIsNone() {
        StatsSection stats = parse(TCP + "listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n"
                + "    stats refresh 0\n").stats().orElseThrow();

        assertEquals(Duration.ZERO, stats.refreshOrDefault());
        assertEquals("127.0.0.1:8404/stats, refresh none", stats.describe());
    }

    @Test
    void aBindWithoutHostIsTheLoopbackAddressUnlikeHaproxysEveryAddress() {
        assertEquals(new InetSocketAddress(Configs.address("127.0.0.1"), 8404), statsAddress("bind :8404"));
        assertEquals(new InetSocketAddress(Configs.address("::1"), 8404), statsAddress("bind ipv6@:8404"));
    }

    @Test
    void aWrittenHostIsTakenAsWrittenEveryAddressAndOthersIncluded() {
        assertEquals(new InetSocketAddress(Configs.address("0.0.0.0"), 8404), statsAddress("bind *:8404"));
        assertEquals(new InetSocketAddress(Configs.address("10.1.2.3"), 8404), statsAddress("bind 10.1.2.3:8404"));
        assertEquals(new InetSocketAddress(Configs.address("::"), 8404), statsAddress("bind [::]:8404"));
    }

    @Test
    void aFrontendWithStatsEnableIsTheStatsSectionToo() {
        ProxyFile file = parse("frontend admin\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n" + TCP);

        assertEquals("admin", file.stats().orElseThrow().name());
        assertEquals(List.of("web"), file.frontends().stream().map(FrontendSection::name).toList());
    }

    @Test
    void modeHttpInDefaultsServesTheStatsSectionAndTheTcpSectionsSayModeTcp() {
        ProxyFile file = parse("""
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                listen stats
                    bind 127.0.0.1:8404
                    stats enable
                frontend web
                    mode tcp
                    bind :8080
                    default_backend app
                backend app
                    mode tcp
                    server s1 127.0.0.1:9000
                """);

        assertEquals("stats", file.stats().orElseThrow().name());
        assertEquals(List.of("web"), file.frontends().stream().map(FrontendSection::name).toList());
        assertEquals(List.of("app"), file.backends().stream().map(BackendSection::name).toList());
    }

    @Test
    void aModeTcpInDefaultsAfterAnHttpOneAppliesToTheSectionsAfterIt() {
        ProxyFile file = parse("defaults\n    mode http\nlisten stats\n    bind 127.0.0.1:8404\n    stats enable\n"
                + "defaults\n    mode tcp\n" + TCP);

        assertTrue(file.stats().isPresent());
        assertEquals(1, file.frontends().size());
    }

    @Test
    void aFileWithoutStatsSectionHasNone() {
        assertFalse(parse(TCP).stats().isPresent());
    }

    @Test
    void twoFilesServeAlikeWhenAddressPathAndRefreshAreTheSameWhereverWritten() {
        StatsSection a = parse(TCP + "listen stats\n    mode http\n    bind :8404\n    stats enable\n")
                .stats().orElseThrow();
        StatsSection b = parse("listen admin\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n"
                + "    stats uri /stats\n    stats refresh 5s\n" + TCP).stats().orElseThrow();
        StatsSection c = parse(TCP + "listen stats\n    mode http\n    bind :8404\n    stats enable\n"
                + "    stats refresh 6s\n").stats().orElseThrow();

        assertTrue(a.servesAs(b));
        assertFalse(a.servesAs(c));
        assertFalse(a.servesAs(null));
        assertTrue(StatsSection.alike(java.util.Optional.empty(), java.util.Optional.empty()));
        assertFalse(StatsSection.alike(java.util.Optional.of(a), java.util.Optional.empty()));
        assertFalse(StatsSection.alike(java.util.Optional.empty(), java.util.Optional.of(a)));
    }

    private static InetSocketAddress statsAddress(String bind) {
        return parse(TCP + "listen stats\n    mode http\n    " + bind + "\n    stats enable\n").stats().orElseThrow()
                .address().value();
    }
}
