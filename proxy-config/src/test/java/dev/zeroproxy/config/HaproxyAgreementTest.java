package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where HAProxy 2.6 is installed, checks that files ZeroProxy accepts (without its own keywords)
 * are valid to {@code haproxy -c}, and that mistakes both refuse are refused by both: the subset
 * is HAProxy's syntax, not a look-alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyAgreementTest {
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final String TIMEOUTS = "defaults\n    mode tcp\n    timeout client 30s\n    timeout connect 5s\n"
            + "    timeout server 30s\n";

    @TempDir
    Path directory;

    @Test
    void filesZeroproxyAcceptsAreValidToHaproxy() throws Exception {
        String file = "global\n    maxconn 1000\n    nbthread 2\n    hard-stop-after 30s\n" + TIMEOUTS + """
                    default-server inter 2s rise 2 fall 3
                frontend web
                    bind :8080,127.0.0.1:8081 accept-proxy
                    bind "[::1]:8082"
                    maxconn 500
                    timeout client-fin 1s
                    acl lan src 10.0.0.0/8 192.168.0.0/16
                    tcp-request connection reject if !lan
                    tcp-request connection accept if { src 10.1.0.0/16 }
                    use_backend other unless { src 10.2.0.0/16 }
                    default_backend app
                backend app
                    balance random(2)
                    retries 3
                    option redispatch
                    timeout server-fin 1s
                    timeout tunnel 1h
                    timeout queue 2s
                    timeout check 1s
                    source 127.0.0.1
                    server s1 127.0.0.1:9000 weight 10 check maxconn 100 send-proxy-v2
                    server s2 localhost:9001 backup source 127.0.0.1
                backend other
                    balance leastconn
                    no option redispatch
                    server o 127.0.0.1:9002 no-check
                listen db
                    bind :5432
                    balance source
                    server pg 127.0.0.1:5433 check
                """;
        ConfigParser.parse("agreement.cfg", file);

        assertEquals(0, haproxyCheck(file), "haproxy -c refused a file ZeroProxy accepts");
    }

    @Test
    void mistakesBothRefuse() throws Exception {
        String base = TIMEOUTS + "frontend web\n    bind :8080\n    default_backend app\nbackend app\n"
                + "    server s1 127.0.0.1:9000\n";
        String[] mistakes = {"    balanse roundrobin\n", "    server s2 127.0.0.1:99999\n", "    timeout server 5x\n",
            "    retries 3 4\n", "    server s1 127.0.0.1:9001\n", "    description \"open\n",
            "    server s3 127.0.0.1:1 wieght 3\n"};
        for (String mistake : mistakes) {
            String file = base + mistake;
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> ConfigParser.parse("agreement.cfg", file), mistake);
            assertEquals(1, refused.errors().size(), refused::getMessage);
            assertNotEquals(0, haproxyCheck(file), () -> "haproxy -c accepted " + mistake);
        }
    }

    private int haproxyCheck(String text) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(HAPROXY), "HAProxy is not installed at " + HAPROXY);
        Path file = directory.resolve("haproxy.cfg");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(HAPROXY.toString(), "-c", "-q", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.out").toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("haproxy -c did not finish");
        }
        return process.exitValue();
    }
}
