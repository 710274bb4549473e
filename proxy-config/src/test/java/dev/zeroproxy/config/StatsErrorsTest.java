package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.errors;
import static dev.zeroproxy.config.Configs.inBackend;
import static dev.zeroproxy.config.Configs.inDefaults;
import static dev.zeroproxy.config.Configs.inFrontend;
import static dev.zeroproxy.config.StatsSectionTest.TCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.config.ConfigErrorsTest.Case;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every error about the stats section and {@code mode}, one file each: its position, its keyword,
 * a fragment of its message, and that it is the file's only error.
 */
class StatsErrorsTest {
    /** A stats section, lines 1 to 4, then {@code extra} as line 5, then {@link StatsSectionTest#TCP}. */
    static String stats(String extra) {
        return "listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n" + extra + TCP;
    }

    static Stream<Case> cases() {
        return Stream.of(
                // At most one
                new Case(stats("") + "listen stats2\n    mode http\n    bind 127.0.0.1:8405\n    stats enable\n",
                        "10:1", "listen", "a second stats section; listen 'stats' at line 1 is the admin endpoint"),
                // stats enable, written
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats uri /s\n" + TCP, "1:1",
                        "listen", "listen 'stats' has stats lines but no 'stats enable' (expected: 'stats enable' in it"),
                new Case(stats("    stats enable now\n"), "5:18", "stats enable", "unexpected argument 'now'"),
                // One bind, one address
                new Case("listen stats\n    mode http\n    stats enable\n" + TCP, "1:1", "listen",
                        "listen 'stats' has no bind line"),
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:8404,127.0.0.1:8405\n    stats enable\n" + TCP,
                        "3:25", "bind", "a second address for the stats section (the first is at test.cfg:3:10)"),
                new Case(stats("    bind 127.0.0.1:8405\n"), "5:10", "bind", "a second address for the stats section"),
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:8404 accept-proxy\n    stats enable\n" + TCP,
                        "3:10", "bind", "accept-proxy on the stats section's bind"),
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:0\n    stats enable\n" + TCP,
                        "3:20", "bind", "'0' is not a port"),
                // Nothing of a frontend or a backend
                new Case("defaults\n    default_backend app\nlisten stats\n    mode http\n    bind 127.0.0.1:8404\n"
                        + "    stats enable\n" + TCP, "3:1", "listen", "listen 'stats' takes 'default_backend app' "
                        + "from the defaults section at line 2: HAProxy refuses an http section with a tcp backend"),
                new Case(stats("    server s1 127.0.0.1:9000\n"), "5:5", "server",
                        "'server' is not supported in the stats section, which is the admin endpoint, not a frontend"),
                new Case(stats("    default_backend app\n"), "5:5", "default_backend", "not supported in the stats section"),
                new Case(stats("    use_backend app if { src 10.0.0.0/8 }\n"), "5:5", "use_backend",
                        "not supported in the stats section"),
                new Case(stats("    tcp-request connection reject\n"), "5:5", "tcp-request connection",
                        "not supported in the stats section"),
                new Case(stats("    acl lan src 10.0.0.0/8\n"), "5:5", "acl", "not supported in the stats section"),
                new Case(stats("    maxconn 10\n"), "5:5", "maxconn", "(expected: only mode http, bind, stats enable, "
                        + "stats uri and stats refresh in it"),
                new Case(stats("    timeout client 5s\n"), "5:5", "timeout client", "not supported in the stats section"),
                new Case(stats("    balance roundrobin\n"), "5:5", "balance", "not supported in the stats section"),
                // HAProxy's other stats keywords
                new Case(stats("    stats auth admin:secret\n"), "5:5", "stats auth", "'stats auth' is an HAProxy "
                        + "keyword ZeroProxy does not support: the admin endpoint has no users"),
                new Case(stats("    stats admin if TRUE\n"), "5:5", "stats admin", "the admin endpoint has no users"),
                new Case(stats("    stats realm Haproxy\\ Statistics\n"), "5:5", "stats realm", "has no users"),
                new Case(stats("    stats hide-version\n"), "5:5", "stats hide-version",
                        "the admin endpoint's pages are fixed: ZeroProxy reads stats enable, stats uri and stats refresh"),
                new Case(stats("    stats show-legends\n"), "5:5", "stats show-legends", "pages are fixed"),
                new Case(stats("    stats socket /run/haproxy.sock\n"), "5:5", "stats",
                        "an HAProxy keyword of section global ZeroProxy does not support: ZeroProxy's admin endpoint"),
                new Case(stats("    stats enabel\n"), "5:5", "stats enabel", "'stats enabel' is not a keyword of "
                        + "section listen (expected: one of stats enable, stats uri, stats refresh); did you mean "
                        + "'stats enable'?"),
                new Case(stats("    stats\n"), "5:5", "stats", "'stats' needs a second word"),
                // One error per mistake: a wrong stats line is not also "no stats enable"
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats auth a:b\n" + TCP, "4:5",
                        "stats auth", "HAProxy keyword ZeroProxy does not support"),
                // Values
                new Case(stats("    stats uri stats\n"), "5:15", "stats uri", "'stats' is not a path: it does not start "
                        + "with / (expected: a path starting with /"),
                new Case(stats("    stats uri /haproxy?stats\n"), "5:23", "stats uri", "a query or fragment is not"),
                new Case(stats("    stats uri\n"), "5:5", "stats uri", "missing path"),
                new Case(stats("    stats refresh 500ms\n"), "5:19", "stats refresh", "under a second"),
                new Case(stats("    stats refresh 1500ms\n"), "5:19", "stats refresh", "not whole seconds"),
                new Case(stats("    stats refresh 2h\n"), "5:19", "stats refresh", "over an hour"),
                new Case(stats("    stats refresh soon\n"), "5:19", "stats refresh", "'soon' is not a time"),
                // Only in a frontend or listen
                new Case(inBackend("stats enable"), "6:5", "stats enable",
                        "'stats enable' is not supported in section backend; ZeroProxy reads it in frontend or listen"),
                new Case(inDefaults("stats enable"), "2:5", "stats enable", "not supported in section defaults"),
                // Modes
                new Case("listen stats\n    bind 127.0.0.1:8404\n    stats enable\n" + TCP, "1:1", "listen",
                        "listen 'stats' has stats lines but no 'mode http'"),
                new Case("listen stats\n    mode tcp\n    bind 127.0.0.1:8404\n    stats enable\n" + TCP, "2:10",
                        "mode", "mode tcp in the stats section (HAProxy ignores stats lines in mode tcp) (expected: "
                                + "http"),
                new Case("defaults\n    mode tcp\nlisten stats\n    bind 127.0.0.1:8404\n    stats enable\n" + TCP,
                        "3:1", "listen", "listen 'stats' has stats lines but is in mode tcp, from the defaults section "
                                + "at line 2"),
                new Case(inBackend("mode http"), "6:10", "mode", "mode http is supported only in the stats section"),
                new Case("defaults\n    mode http\nlisten stats\n    bind 127.0.0.1:8404\n    stats enable\n"
                        + "frontend web\n    mode tcp\n    bind :8080\n    default_backend app\n" + BACKEND, "10:1",
                        "backend", "backend 'app' is in mode http, from the defaults section at line 2; ZeroProxy is "
                                + "a TCP proxy: only the stats section (a listen with 'stats enable') serves HTTP "
                                + "(expected: 'mode tcp' in it (a mode in defaults applies to every section after it))"),
                new Case("defaults\n    mode http\n" + "frontend web\n    bind :8080\n    default_backend app\n"
                        + "backend app\n    mode tcp\n    server s1 127.0.0.1:9000\n", "3:1", "frontend",
                        "frontend 'web' is in mode http, from the defaults section at line 2"),
                new Case("listen db\n    mode http\n    bind :5432\n    server s1 127.0.0.1:5433\n", "2:10", "mode",
                        "mode http is supported only in the stats section"),
                // The file
                new Case("listen stats\n    mode http\n    bind 127.0.0.1:8404\n    stats enable\n", "1:1", "frontend",
                        "the file has no frontend or listen section besides the stats section: nothing would be "
                                + "proxied"),
                new Case(stats("") + "frontend other\n    bind :8081\n    default_backend stats\n", "12:21",
                        "default_backend", "'stats' is the stats section, the admin endpoint, not a backend"));
    }

    @TestFactory
    Stream<DynamicTest> eachErrorIsReportedOnceAtItsPositionWithItsKeywordAndMessage() {
        return cases().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }

    @Test
    void aStatsSectionOnAFrontendsAddressIsRefusedByTheCheckAtTheStatsBind() {
        List<ConfigError> errors = Configs.checkErrors("listen stats\n    mode http\n    bind 127.0.0.1:8080\n"
                + "    stats enable\nfrontend web\n    bind 127.0.0.1:8080\n    default_backend app\n" + BACKEND);

        assertEquals(1, errors.size(), errors::toString);
        assertEquals("test.cfg:3:10", errors.get(0).where().toString());
        assertTrue(errors.get(0).problem().contains("is bound by the stats section and by a frontend (at "
                + "test.cfg:6:10)"), errors.get(0)::toString);
    }

    @Test
    void aTcpFrontendKeepsItsOwnModeHttpErrorWithoutTheChecksOfItsContents() {
        // No "has no default_backend": the mode is the mistake.
        List<ConfigError> errors = errors(inFrontend("mode http").replace("    default_backend app\n", ""));

        assertEquals(1, errors.size(), errors::toString);
        assertEquals("mode", errors.get(0).keyword());
    }

    private static void check(Case expected) {
        List<ConfigError> errors = errors(expected.text());

        assertEquals(1, errors.size(), () -> "expected one error in\n" + expected.text() + "\ngot\n"
                + String.join("\n", errors.stream().map(ConfigError::toString).toList()));
        ConfigError error = errors.get(0);
        assertEquals(Configs.FILE + ":" + expected.where(), error.where().toString(), error::toString);
        assertEquals(expected.keyword(), error.keyword(), error::toString);
        assertTrue(error.toString().contains(expected.fragment()), () -> error + "\nlacks\n" + expected.fragment());
    }
}
