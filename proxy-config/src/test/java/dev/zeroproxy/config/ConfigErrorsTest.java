package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static dev.zeroproxy.config.Configs.errors;
import static dev.zeroproxy.config.Configs.inBackend;
import static dev.zeroproxy.config.Configs.inDefaults;
import static dev.zeroproxy.config.Configs.inFrontend;
import static dev.zeroproxy.config.Configs.inGlobal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every error the parser reports, one file each: its position, its keyword, a fragment of its
 * message (the did-you-mean included), and that it is the file's only error (no cascade).
 */
class ConfigErrorsTest {
    private static final String BASE = "frontend web\n    bind :8080\n    default_backend app\n" + BACKEND;
    private static final String REJECT = "tcp-request connection reject ";

    /** A file, the one error expected in it, at {@code line:column}, about {@code keyword}. */
    record Case(String text, String where, String keyword, String fragment) {
        @Override
        public String toString() {
            return where + " " + keyword + ": " + fragment;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                // The tokenizer
                new Case(inFrontend("maxconn \"10"), "4:13", "maxconn", "quote \" is not closed"),
                new Case(inFrontend("maxconn '10"), "4:13", "maxconn", "quote ' is not closed"),
                new Case(inFrontend("maxconn \"$1\""), "4:14", "maxconn", "'$' is not followed by a variable name"),
                new Case(inFrontend("maxconn \\x1"), "4:13", "maxconn", "\\x is not followed by two hexadecimal"),
                new Case("frontend \"web\n    bind :8080\n    maxconn 5\n" + BASE, "1:10", "frontend", "not closed"),
                // Sections
                new Case("bind :80\n" + BASE, "1:1", "bind", "'bind' is outside any section"),
                new Case("frontnd web\n    bind :80\n" + BASE, "1:1", "frontnd",
                        "outside any section (expected: a section header above it: global, defaults, frontend, "
                                + "backend or listen); did you mean 'frontend'?"),
                new Case("frontend web\n    bind :8080\n    default_backend app\nbackendd app\n    server s1 "
                        + "127.0.0.1:9000\n", "4:1", "backendd", "'backendd' is neither a keyword of section frontend "
                        + "nor a section"),
                new Case("peers p\n    peer a 127.0.0.1:1024\n" + BASE, "1:1", "peers",
                        "'peers' is an HAProxy section ZeroProxy does not support"),
                new Case("resolvers dns\n    nameserver a 127.0.0.1:53\n" + BASE, "1:1", "resolvers",
                        "'resolvers' is an HAProxy section"),
                new Case("frontend\n    bind :80\n    default_backend app\n" + BACKEND, "1:1", "frontend", "missing name"),
                new Case(BASE.replace("frontend web", "frontend we/b"), "1:10", "frontend", "contains '/'"),
                new Case("defaults base from other\n" + BASE, "1:15", "defaults", "'from' is not supported"),
                new Case(BASE.replace("frontend web", "frontend web extra"), "1:14", "frontend",
                        "unexpected argument 'extra'"),
                new Case("global now\n" + BASE, "1:8", "global", "unexpected argument 'now'"),
                new Case(BASE + "frontend web\n    bind :8081\n    default_backend app\n", "6:10", "frontend",
                        "a frontend or listen named 'web' is already defined at line 1"),
                new Case(BASE + BACKEND, "6:9", "backend", "a backend or listen named 'app' is already defined at line 4"),
                new Case(BASE + "listen web\n    bind :2\n    server s 127.0.0.1:1\n", "6:8", "listen",
                        "named 'web' is already defined at line 1"),
                // Keywords
                new Case(inFrontend("maxcon 10"), "4:5", "maxcon",
                        "'maxcon' is not a keyword of section frontend (expected: one of mode, bind, maxconn"),
                new Case(inFrontend("maxcon 10"), "4:5", "maxcon", "did you mean 'maxconn'?"),
                new Case(inFrontend("timeout clint 5s"), "4:5", "timeout clint", "did you mean 'timeout client'?"),
                new Case(inBackend("timout connect 5s"), "6:5", "timout", "did you mean 'timeout connect'?"),
                new Case(inBackend("Balance roundrobin"), "6:5", "Balance", "did you mean 'balance'?"),
                new Case(inBackend("timeout"), "6:5", "timeout", "'timeout' needs a second word (expected: one of "
                        + "timeout connect, timeout server"),
                new Case(inFrontend("option httplog"), "4:5", "option httplog",
                        "'option httplog' is an HAProxy keyword ZeroProxy does not support (expected: one of mode, bind"),
                new Case(inDefaults("option tcplog"), "2:5", "option tcplog", "ZeroProxy does not support: ZeroProxy "
                        + "logs through SLF4J"),
                new Case(inFrontend("stick-table type ip size 1m"), "4:5", "stick-table", "HAProxy keyword ZeroProxy does"),
                new Case(inFrontend("http-request deny"), "4:5", "http-request", "HAProxy keyword ZeroProxy does"),
                new Case(inFrontend("errorfile 503 /x"), "4:5", "errorfile", "HAProxy keyword ZeroProxy does"),
                new Case(inFrontend("timeout http-request 5s"), "4:5", "timeout http-request", "HAProxy keyword"),
                new Case(inGlobal("log 127.0.0.1 local0"), "2:5", "log", "logs through SLF4J"),
                new Case(inGlobal("daemon"), "2:5", "daemon", "run ZeroProxy in the foreground under a supervisor"),
                new Case(inGlobal("user haproxy"), "2:5", "user", "HAProxy keyword ZeroProxy does not support"),
                new Case(inGlobal("chroot /var/empty"), "2:5", "chroot", "HAProxy keyword ZeroProxy does not support"),
                new Case(inGlobal("stats socket /run/haproxy.sock"), "2:5", "stats", "'stats' is an HAProxy keyword "
                        + "ZeroProxy does not support: ZeroProxy's admin endpoint (/metrics, /stats, /stats.json, "
                        + "/connections) is a listen section with 'mode http', 'bind 127.0.0.1:8404' and 'stats enable'"),
                new Case(inBackend("cookie SRV insert"), "6:5", "cookie", "HAProxy keyword ZeroProxy does not support"),
                new Case(inBackend("option tcp-check"), "6:5", "option tcp-check", "HAProxy keyword ZeroProxy does"),
                new Case(inBackend("tcp-check connect"), "6:5", "tcp-check connect", "HAProxy keyword ZeroProxy"),
                new Case(inBackend("fullconn 100"), "6:5", "fullconn", "HAProxy keyword ZeroProxy does not support"),
                new Case(inBackend("hash-type consistent"), "6:5", "hash-type", "'balance source' always hashes"),
                new Case(inBackend("no option abortonclose"), "6:5", "no option abortonclose", "HAProxy keyword"),
                new Case(inBackend("bind :80"), "6:5", "bind",
                        "'bind' does not belong in section backend; it belongs in frontend or listen"),
                new Case(inFrontend("server s 127.0.0.1:1"), "4:5", "server", "it belongs in backend or listen"),
                new Case(inFrontend("nbthread 4"), "4:5", "nbthread", "it belongs in global"),
                new Case(inFrontend("option redispatch"), "4:5", "option redispatch", "it belongs in defaults, "
                        + "backend or listen"),
                new Case(inBackend("acl lan src 10.0.0.0/8"), "6:5", "acl", "'acl' is not supported in section backend; "
                        + "ZeroProxy reads it in frontend or listen"),
                new Case(inDefaults("tcp-request connection reject"), "2:5", "tcp-request connection",
                        "not supported in section defaults"),
                new Case(inFrontend("daemon"), "4:5", "daemon", "an HAProxy keyword of section global ZeroProxy does"),
                new Case(inFrontend("mode http"), "4:10", "mode", "ZeroProxy is a TCP proxy; mode http is supported "
                        + "only in the stats section (a listen section with 'stats enable') (expected: tcp)"),
                new Case(inDefaults("mode health"), "2:10", "mode", "mode health is not supported (expected: tcp (http "
                        + "only in the stats section"),
                new Case(inFrontend("\"timeout client\" 5s"), "4:5", "timeout client", "its words are quoted together"),
                new Case(inFrontend(".if defined(X)"), "4:5", ".if", "is not a keyword of section frontend"),
                // Arguments
                new Case(inFrontend("timeout client"), "4:5", "timeout client", "missing time (expected: a time such as "
                        + "5s, 250ms or 1m; no unit means milliseconds)"),
                new Case(inFrontend("maxconn 10 20"), "4:16", "maxconn", "unexpected argument '20'"),
                new Case(inFrontend("timeout client 5x"), "4:21", "timeout client", "'x' is not a unit of time"),
                new Case(inFrontend("timeout client 1.5s"), "4:21", "timeout client", "'.5s' is not a unit of time"),
                new Case(inFrontend("timeout client 99999999999"), "4:20", "timeout client", "longer than HAProxy's "
                        + "maximum, 2147483647ms"),
                new Case(inFrontend("timeout client 25d"), "4:20", "timeout client", "longer than HAProxy's maximum"),
                new Case(inFrontend("maxconn ten"), "4:13", "maxconn", "'ten' is not a whole number"),
                new Case(inFrontend("maxconn -1"), "4:13", "maxconn", "'-1' is not a whole number"),
                new Case(inFrontend("maxconn 99999999999"), "4:13", "maxconn", "'99999999999' is out of range"),
                new Case(inFrontend("splice-threshold 64q"), "4:24", "splice-threshold", "'q' is not a size suffix"),
                new Case(inFrontend("splice-threshold 99999999999g"), "4:22", "splice-threshold", "is too large"),
                new Case(inFrontend("forwarding splise"), "4:16", "forwarding", "'splise' is not a forwarding mode "
                        + "(expected: best, auto, copy or splice); did you mean 'splice'?"),
                new Case(inGlobal("transport epol"), "2:15", "transport", "did you mean 'epoll'?"),
                new Case(inGlobal("nbthread 0"), "2:14", "nbthread", "'0' is out of range (expected: a whole number, "
                        + "at least 1)"),
                new Case(inGlobal("hard-stop-after soon"), "2:21", "hard-stop-after", "'soon' is not a time"),
                new Case(inBackend("balance static-rr"), "6:13", "balance",
                        "'static-rr' is an HAProxy algorithm ZeroProxy does not support (expected: roundrobin, "
                                + "leastconn, source, random or random(2))"),
                new Case(inBackend("balance hdr(host)"), "6:13", "balance", "'hdr(host)' is an HAProxy algorithm"),
                new Case(inBackend("balance random(3)"), "6:20", "balance", "only two draws are supported"),
                new Case(inBackend("balance roundrobn"), "6:13", "balance", "did you mean 'roundrobin'?"),
                new Case(inBackend("balance random2"), "6:13", "balance", "did you mean 'random'?"),
                new Case(inBackend("option redispatch 5"), "6:23", "option redispatch", "an interval"),
                new Case(inBackend("source 10.0.0.1:5000"), "6:20", "source", "a fixed source port is not supported"),
                new Case(inBackend("source [::1]:5000"), "6:17", "source", "a fixed source port is not supported"),
                new Case(inBackend("source example"), "6:12", "source", "'example' is not an IP address"),
                new Case(inBackend("source 10.0.0.1 usesrc clientip"), "6:21", "source", "'usesrc' is not supported"),
                new Case(inBackend("retries many"), "6:13", "retries", "'many' is not a whole number"),
                // bind
                new Case(inFrontend("bind"), "4:5", "bind", "missing address"),
                new Case(inFrontend("bind :80-90"), "4:11", "bind", "port ranges such as '80-90' are not supported"),
                new Case(inFrontend("bind :0"), "4:11", "bind", "'0' is not a port (expected: a port from 1 to 65535)"),
                new Case(inFrontend("bind :65536"), "4:11", "bind", "'65536' is not a port"),
                new Case(inFrontend("bind 127.0.0.1"), "4:19", "bind", "'127.0.0.1' has no port"),
                new Case(inFrontend("bind 127.0.0.1:+1"), "4:20", "bind", "port offsets"),
                new Case(inFrontend("bind unix@/run/x.sock"), "4:10", "bind", "'unix@' addresses are not supported"),
                new Case(inFrontend("bind /run/x.sock"), "4:10", "bind", "UNIX socket paths are not supported"),
                new Case(inFrontend("bind :80 ssl crt /x"), "4:14", "bind", "'ssl' is an HAProxy bind option ZeroProxy "
                        + "does not support (expected: accept-proxy, the only bind option ZeroProxy supports)"),
                new Case(inFrontend("bind :80 acept-proxy"), "4:14", "bind",
                        "'acept-proxy' is not a bind option (expected: accept-proxy, the only bind option ZeroProxy "
                                + "supports); did you mean 'accept-proxy'?"),
                new Case(inFrontend("bind :80,,:81"), "4:14", "bind", "empty address in ':80,,:81'"),
                new Case(inFrontend("bind :80,:0"), "4:15", "bind", "'0' is not a port"),
                new Case(inFrontend("bind 1.2.3:80"), "4:10", "bind", "'1.2.3' is neither an IP address nor a host name"),
                new Case(inFrontend("bind [::1:80"), "4:10", "bind", "'[' is not closed by ']'"),
                new Case(inFrontend("bind [::1]"), "4:15", "bind", "'[::1]' has no port"),
                new Case(inFrontend("bind ipv4@[::1]:80"), "4:16", "bind", "'::1' is not an IPv4 address, as ipv4@ "
                        + "requires"),
                new Case(inFrontend("bind nosuch:80"), "4:10", "bind", "cannot resolve host name 'nosuch'"),
                // server and default-server
                new Case(inBackend("server s2"), "6:5", "server", "missing server address"),
                new Case(inBackend("server"), "6:5", "server", "missing server name"),
                new Case(inBackend("server s2 127.0.0.1:99999"), "6:25", "server", "'99999' is not a port"),
                new Case(inBackend("server s2 nosuch:80"), "6:15", "server", "cannot resolve host name 'nosuch'"),
                new Case(inBackend("server s2 ipv6@localhost:80"), "6:20", "server",
                        "cannot resolve host name 'localhost' to an IPv6 address"),
                new Case(inBackend("server s2 :80"), "6:15", "server", "':80' has no host"),
                new Case(inBackend("server s2 127.0.0.1:80 wieght 3"), "6:28", "server",
                        "'wieght' is not a server option (expected: server options: weight, check"),
                new Case(inBackend("server s2 127.0.0.1:80 wieght 3"), "6:28", "server", "did you mean 'weight'?"),
                new Case(inBackend("server s2 127.0.0.1:80 cookie a"), "6:28", "server",
                        "'cookie' is an HAProxy server option ZeroProxy does not support"),
                new Case(inBackend("server s2 127.0.0.1:80 weight 300"), "6:35", "weight", "'300' is out of range "
                        + "(expected: a whole number from 0 to 256)"),
                new Case(inBackend("server s2 127.0.0.1:80 rise 0"), "6:33", "rise", "'0' is out of range"),
                new Case(inBackend("server s2 127.0.0.1:80 inter"), "6:28", "inter", "missing value of 'inter'"),
                new Case(inBackend("server s2 127.0.0.1:80 source 10.0.0.1:1"), "6:43", "source", "a fixed source port"),
                new Case(inBackend("server s1 127.0.0.1:80"), "6:12", "server", "server 's1' is already defined at line 5"),
                new Case(inBackend("server s/2 127.0.0.1:80"), "6:12", "server", "server name 's/2' contains '/'"),
                new Case(inBackend("default-server weight x"), "6:27", "weight", "'x' is not a whole number"),
                new Case(inBackend("default-server ssl"), "6:20", "default-server", "'ssl' is an HAProxy server option"),
                // Conditions
                new Case(inFrontend(REJECT + "if"), "4:35", "tcp-request connection", "no condition after 'if'"),
                new Case(inFrontend(REJECT + "if !"), "4:35", "tcp-request connection", "no condition after 'if'"),
                new Case(inFrontend(REJECT + "when lan"), "4:35", "tcp-request connection",
                        "'when' is neither 'if' nor 'unless'"),
                new Case(inFrontend(REJECT + "if { src 10.0.0.0/8"), "4:38", "tcp-request connection",
                        "'{' is not closed by '}'"),
                new Case(inFrontend(REJECT + "if {src 10.0.0.0/8}"), "4:38", "tcp-request connection",
                        "'{' and '}' must be words of their own"),
                new Case(inFrontend(REJECT + "if { src 10.0.0.0/8}"), "4:38", "tcp-request connection",
                        "'{' and '}' must be words of their own"),
                new Case(inFrontend(REJECT + "if { dst 10.0.0.1 }"), "4:40", "tcp-request connection",
                        "'dst' is not supported in a condition; only 'src' is"),
                new Case(inFrontend(REJECT + "if { sr 10.0.0.1 }"), "4:40", "tcp-request connection",
                        "did you mean 'src'?"),
                new Case(inFrontend(REJECT + "if { src }"), "4:40", "tcp-request connection", "no address after 'src'"),
                new Case(inFrontend(REJECT + "if { }"), "4:38", "tcp-request connection", "'{ }' is empty"),
                new Case(inFrontend(REJECT + "if lan || wan"), "4:42", "tcp-request connection",
                        "only one ACL or one '{ src ... }' per condition is supported"),
                new Case(inFrontend(REJECT + "if lan wan"), "4:42", "tcp-request connection", "only one ACL"),
                new Case(inFrontend(REJECT + "if { src 10.0.0.1 } lan"), "4:55", "tcp-request connection",
                        "only one ACL"),
                new Case(inFrontend(REJECT + "if { src 10.0.0.0/33 }"), "4:52", "tcp-request connection",
                        "'/33' is not a prefix length of an IPv4 address"),
                new Case(inFrontend(REJECT + "if { src ::/129 }"), "4:46", "tcp-request connection",
                        "'/129' is not a prefix length of an IPv6 address"),
                new Case(inFrontend(REJECT + "if { src 10.0.0.256 }"), "4:44", "tcp-request connection",
                        "'10.0.0.256' is not an IP address"),
                new Case(inFrontend(REJECT + "if { src 10/8 }"), "4:44", "tcp-request connection",
                        "'10' is not an IP address"),
                new Case(inFrontend(REJECT + "if { src -f /x }"), "4:44", "tcp-request connection", "ACL flags"),
                new Case(inFrontend("acl lans src 10.0.0.0/8\n    " + REJECT + "if !lan"), "5:39", "lan",
                        "no ACL named 'lan' in frontend 'web'"),
                new Case(inFrontend("acl lans src 10.0.0.0/8\n    " + REJECT + "if !lan"), "5:39", "lan",
                        "did you mean 'lans'?"),
                new Case(inFrontend(REJECT + "if lan\n    acl lan src 10.0.0.0/8"), "4:38", "lan",
                        "ACL 'lan' is used before its declaration at line 5"),
                new Case(inFrontend("acl lan dst 10.0.0.1"), "4:13", "acl", "'dst' is not supported in an ACL"),
                new Case(inFrontend("acl"), "4:5", "acl", "missing ACL name"),
                new Case(inFrontend("acl lan"), "4:5", "acl", "missing criterion"),
                new Case(inFrontend("acl bad/name src 10.0.0.1"), "4:9", "acl", "ACL name 'bad/name' contains '/'"),
                new Case(inFrontend("use_backend app"), "4:17", "use_backend", "use_backend without a condition"),
                new Case(inFrontend("use_backend"), "4:5", "use_backend", "missing backend name"),
                new Case(inFrontend("use_backend ap if { src 10.0.0.1 }"), "4:17", "use_backend",
                        "no backend named 'ap' (expected: the name of a backend or listen section); did you mean 'app'?"),
                new Case(inFrontend("use_backend %[var(txn.x)] if { src 10.0.0.1 }"), "4:17", "use_backend",
                        "computed from the connection are not supported"),
                new Case(inFrontend("tcp-request connection track-sc0 src"), "4:28", "tcp-request connection",
                        "'track-sc0' is an HAProxy action ZeroProxy does not support"),
                new Case(inFrontend("tcp-request connection acept"), "4:28", "tcp-request connection",
                        "did you mean 'accept'?"),
                new Case(inFrontend("tcp-request connection expect-proxy layer4"), "4:28", "tcp-request connection",
                        "'accept-proxy' on the bind line"),
                new Case(inFrontend("tcp-request connection"), "4:5", "tcp-request connection", "missing action"),
                // The whole file
                new Case("frontend web\n    bind :8080\n    default_backend ap\n" + BACKEND, "3:21", "default_backend",
                        "no backend named 'ap' (expected: the name of a backend or listen section); did you mean 'app'?"),
                new Case("frontend web\n    default_backend app\n" + BACKEND, "1:1", "frontend",
                        "frontend 'web' has no bind line"),
                new Case("frontend web\n    bind :8080\n" + BACKEND, "1:1", "frontend",
                        "frontend 'web' has no default_backend"),
                new Case("frontend web\n    bind :8080\n    default_backend app\nbackend app\n    balance leastconn\n",
                        "4:1", "backend", "backend 'app' has no server"),
                new Case("listen db\n    bind :5432\n", "1:1", "listen", "listen 'db' has no server"),
                new Case("defaults\n    default_backend nope\nfrontend a\n    bind :1\nfrontend b\n    bind :2\n"
                        + BACKEND, "2:21", "default_backend", "no backend named 'nope'"),
                // One error per mistake
                new Case("frontend web\n    bind :8080\n    default_backend app\nbackend app\n    server s1 "
                        + "127.0.0.1:0\n", "5:25", "server", "'0' is not a port"),
                new Case("frontend web\n    bind :0\n    default_backend app\n" + BACKEND, "2:11", "bind",
                        "'0' is not a port"),
                new Case("frontend web\n    bind :8080\n    default_backend a/b\n" + BACKEND, "3:21", "default_backend",
                        "backend name 'a/b' contains '/'"),
                new Case("defaults\n    default_backend a/b\nfrontend web\n    bind :8080\n" + BACKEND, "2:21",
                        "default_backend", "contains '/'"),
                new Case("frontend web\n    bind :8080\n    default_backend app\nbackend \"app\n    server s1 "
                        + "127.0.0.1:1\n", "4:9", "backend", "quote \" is not closed"),
                new Case("frontend web\n    bind :8080\n    default_backend app\nbacknd app\n    server s1 127.0.0.1:1\n",
                        "4:1", "backnd", "did you mean 'backend'?"),
                new Case(inFrontend("acl lan src 10.0.0.0/33\n    use_backend app if lan"), "4:25", "acl",
                        "'/33' is not a prefix length"));
    }

    /** Dynamic tests: one case each, without the per-test garbage collections of the build's leak check. */
    @TestFactory
    Stream<DynamicTest> eachErrorIsReportedOnceAtItsPositionWithItsKeywordAndMessage() {
        return cases().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
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
