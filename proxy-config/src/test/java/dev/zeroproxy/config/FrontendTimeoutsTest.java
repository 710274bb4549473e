package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * HAProxy's per-side timeouts folded into the library's two, as docs/configuration.md
 * ("Timeouts") says: idle is the longest any reachable backend allows (tunnel, else the longer
 * of client and server), half-closed the shortest of client-fin and the backends' server-fin;
 * HAProxy's 0 is "no timeout", longer than any other.
 */
class FrontendTimeoutsTest {

    /** The configuration of the first bind of a file with one frontend {@code web} routing to {@code app} and {@code other}. */
    private static ProxyConfig config(String frontendLines, String appLines, String otherLines) {
        ProxyFile file = Configs.parse("frontend web\n    bind 127.0.0.1:8080\n    use_backend other if { src 10.0.0.0/8 }\n"
                + "    default_backend app\n" + frontendLines + "backend app\n    server s1 127.0.0.1:9000\n" + appLines
                + "backend other\n    server s2 127.0.0.1:9001\n" + otherLines);
        FrontendSection web = file.frontends().get(0);
        return FrontendPlan.of(web, file).builder(web.binds().get(0), null, null, null, ProxyListener.NOOP).build();
    }

    @Test
    void noTimeoutWrittenLeavesTheLibrarysDefaults() {
        ProxyConfig config = config("", "", "");

        assertEquals(ProxyBuilder.DEFAULT_IDLE_TIMEOUT, config.idleTimeout());
        assertEquals(Duration.ZERO, config.halfClosedTimeout());
    }

    @Test
    void idleIsTheLongestAReachableBackendAllows() {
        ProxyConfig config = config("    timeout client 30s\n", "    timeout server 1m\n", "    timeout tunnel 2h\n");

        assertEquals(Duration.ofHours(2), config.idleTimeout());
    }

    @Test
    void idleIsTheLongerOfClientAndServerWithoutATunnelTimeout() {
        assertEquals(Duration.ofMinutes(3), config("    timeout client 3m\n", "    timeout server 1m\n",
                "    timeout server 10s\n").idleTimeout());
    }

    @Test
    void zeroForIdleIsNoTimeoutAndWins() {
        assertEquals(Duration.ZERO, config("    timeout client 30s\n", "    timeout server 0\n", "").idleTimeout());
    }

    @Test
    void halfClosedIsTheShortestOfClientFinAndServerFin() {
        assertEquals(Duration.ofSeconds(5), config("    timeout client-fin 10s\n", "    timeout server-fin 5s\n",
                "    timeout server-fin 7s\n").halfClosedTimeout());
    }

    @Test
    void zeroForOneSidesFinIsNoTimeoutAndLeavesTheOtherSides() {
        assertEquals(Duration.ofSeconds(5), config("    timeout client-fin 0\n", "    timeout server-fin 5s\n", "")
                .halfClosedTimeout());
        assertEquals(Duration.ofSeconds(10), config("    timeout client-fin 10s\n", "    timeout server-fin 0\n", "")
                .halfClosedTimeout());
    }
}
