package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrontendParsingTest {

    private static FrontendSection frontend(String lines) {
        return parse("frontend web\n    default_backend app\n" + lines + BACKEND).frontends().get(0);
    }

    private static InetSocketAddress socket(String literal, int port) {
        return new InetSocketAddress(Configs.address(literal), port);
    }

    @Test
    void everyFrontendKeywordIsRead() {
        FrontendSection frontend = frontend("""
                    mode tcp
                    bind 127.0.0.1:8080
                    maxconn 500
                    timeout client 30s
                    timeout client-fin 1s
                    forwarding auto
                    splice-threshold 64k
                """);

        assertEquals("web", frontend.name());
        assertEquals(new SourcePosition(Configs.FILE, 1, 1), frontend.where());
        assertEquals(List.of(new BindLine(socket("127.0.0.1", 8080), false, new SourcePosition(Configs.FILE, 4, 10))),
                frontend.binds());
        assertEquals(500, frontend.maxConn().value());
        assertEquals(new Located<>(Duration.ofSeconds(30), "timeout client", new SourcePosition(Configs.FILE, 6, 20)),
                frontend.timeoutClient());
        assertEquals(Duration.ofSeconds(1), frontend.timeoutClientFin().value());
        assertSame(Forwarding.AUTO, frontend.forwarding().value());
        assertEquals(65536L, frontend.spliceThreshold().value());
        assertEquals(new Located<>("app", "default_backend", new SourcePosition(Configs.FILE, 2, 21)),
                frontend.defaultBackend());
        assertEquals(List.of(), frontend.rules());
        assertEquals(List.of(), frontend.useBackends());
    }

    @Test
    void settingsNotWrittenAreNull() {
        FrontendSection frontend = frontend("    bind :80\n");

        assertNull(frontend.maxConn());
        assertNull(frontend.timeoutClient());
        assertNull(frontend.timeoutClientFin());
        assertNull(frontend.forwarding());
        assertNull(frontend.spliceThreshold());
    }

    @Test
    void bindAcceptsEveryAddressFormOfTheSpecification() {
        List<BindLine> binds = frontend("""
                    bind :1
                    bind *:2
                    bind 127.0.0.2:3
                    bind [::1]:4
                    bind :::5
                    bind ipv4@:6
                    bind ipv6@:7
                    bind ipv6@*:8
                    bind localhost:9
                    bind ipv4@twin:10
                    bind ipv6@twin:11
                    bind "${HOST}:$PORT"
                """).binds();

        assertEquals(List.of(socket("0.0.0.0", 1), socket("0.0.0.0", 2), socket("127.0.0.2", 3), socket("::1", 4),
                socket("::", 5), socket("0.0.0.0", 6), socket("::", 7), socket("::", 8), socket("127.0.0.1", 9),
                socket("127.0.0.3", 10), socket("::1", 11), socket("127.0.0.7", 8443)),
                binds.stream().map(BindLine::address).toList());
    }

    @Test
    void aBindLineListsSeveralAddressesEachWithItsOwnPositionAndTheLinesOptions() {
        List<BindLine> binds = frontend("    bind :80,127.0.0.1:81,[::1]:82 accept-proxy\n    bind :83\n").binds();

        assertEquals(4, binds.size());
        assertEquals(List.of(10, 14, 27, 10), binds.stream().map(b -> b.where().column()).toList());
        assertEquals(List.of(true, true, true, false), binds.stream().map(BindLine::acceptProxy).toList());
    }

    @Test
    void connectionRulesKeepTheirOrderActionAndCondition() {
        List<AccessLine> rules = frontend("""
                    bind :80
                    tcp-request connection accept if { src 10.0.0.1 }
                    tcp-request connection reject if !{ src 10.0.0.0/8 192.168.0.0/16 }
                    tcp-request connection reject unless { src 2001:db8::/32 }
                    tcp-request connection reject
                """).rules();

        assertEquals(4, rules.size());
        assertTrue(rules.get(0).accept());
        assertEquals(new SourceCondition(false, List.of("10.0.0.1"), new SourcePosition(Configs.FILE, 4, 35)),
                rules.get(0).condition());
        assertEquals(new SourcePosition(Configs.FILE, 4, 5), rules.get(0).where());
        assertFalse(rules.get(1).accept());
        assertEquals(new SourceCondition(true, List.of("10.0.0.0/8", "192.168.0.0/16"),
                new SourcePosition(Configs.FILE, 5, 35)), rules.get(1).condition());
        assertEquals(new SourceCondition(true, List.of("2001:db8::/32"), new SourcePosition(Configs.FILE, 6, 35)),
                rules.get(2).condition());
        assertNull(rules.get(3).condition());
    }

    @Test
    void namedAclsAddUpAcrossTheirLinesIncludingThoseBelowTheRule() {
        List<AccessLine> rules = frontend("""
                    bind :80
                    acl lan src 10.0.0.0/8
                    tcp-request connection reject if !lan
                    acl lan src 192.168.0.0/16 ::1
                """).rules();

        assertEquals(List.of("10.0.0.0/8", "192.168.0.0/16", "::1"), rules.get(0).condition().cidrs());
        assertTrue(rules.get(0).condition().negated());
    }

    @Test
    void negationsCombine() {
        List<AccessLine> rules = frontend("""
                    bind :80
                    acl lan src 10.0.0.0/8
                    tcp-request connection accept if ! lan
                    tcp-request connection accept unless !lan
                    tcp-request connection accept if !!lan
                    tcp-request connection accept unless ! { src 10.0.0.1 }
                    tcp-request connection accept unless lan
                """).rules();

        assertEquals(List.of(true, false, false, false, true),
                rules.stream().map(r -> r.condition().negated()).toList());
    }

    @Test
    void useBackendLinesKeepTheirOrderAndConditions() {
        ProxyFile file = parse("""
                frontend web
                    bind :80
                    acl admins src 10.9.0.0/16
                    use_backend other if admins
                    use_backend app unless { src 10.0.0.0/8 }
                    default_backend app
                backend other
                    server o 127.0.0.1:1
                """ + BACKEND);
        List<UseBackendLine> uses = file.frontends().get(0).useBackends();

        assertEquals(List.of("other", "app"), uses.stream().map(UseBackendLine::backend).toList());
        assertEquals(new SourceCondition(false, List.of("10.9.0.0/16"), new SourcePosition(Configs.FILE, 4, 23)),
                uses.get(0).condition());
        assertEquals(new SourcePosition(Configs.FILE, 4, 5), uses.get(0).where());
        assertTrue(uses.get(1).condition().negated());
    }

    @Test
    void backendsMayBeDefinedAfterTheFrontendsUsingThem() {
        ProxyFile file = parse("frontend web\n    bind :80\n    default_backend later\nbackend later\n"
                + "    server s 127.0.0.1:1\n");

        assertEquals("later", file.frontends().get(0).defaultBackend().value());
        assertTrue(file.backend("later").isPresent());
    }

    @Test
    void forwardingModesAreReadByTheirLowerCaseNames() {
        for (Forwarding forwarding : Forwarding.values()) {
            String name = forwarding.name().toLowerCase(java.util.Locale.ROOT);
            assertSame(forwarding, frontend("    bind :80\n    forwarding " + name + "\n").forwarding().value(), name);
        }
    }
}
