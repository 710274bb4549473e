package dev.zeroproxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Termination;
import dev.zeroproxy.edge.ConnectionRefusal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which events write a line, with and without logasap, and nothing at all with INFO off. */
class AccessLogTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 9000);
    private static final ConnectionInfo OPENED = new ConnectionInfo(5, CLIENT, null);
    private static final ConnectionInfo CONNECTED = OPENED.withUpstream(SERVER, "app", "s1");
    private static final ConnectionSummary SUMMARY = new ConnectionSummary(10, 20, 0, Duration.ofMillis(30), null,
            Termination.COMPLETED, Duration.ZERO, Duration.ofMillis(1), 1);

    private static void live(AccessLog log) {
        log.connectionOpened(OPENED);
        log.upstreamAttemptFailed(OPENED.withUpstream(SERVER, "app", "s0"), new IOException("refused"));
        log.upstreamConnected(CONNECTED);
        log.connectionClosed(CONNECTED, SUMMARY);
        log.connectionRefused(new ConnectionRefusal(CLIENT, ConnectionRefusal.Reason.DENIED, "rule 1"));
    }

    @Test
    void oneLinePerConnectionAtItsCloseAndOnePerRefusal() {
        CapturingLogger logger = new CapturingLogger(true);
        live(AccessLog.builder("web").logger(logger).zone(ZoneId.of("UTC")).build());
        List<String> lines = logger.lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("127\\.0\\.0\\.1:40000 \\[\\S+] web app/s1 0/1/30 20 10 -- 0% 1 #5"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith(" web -/- -1/-1/0 0 0 PR 0% 0 #- DENIED"), lines.get(1));
    }

    @Test
    void logAsapAddsAnEarlyLineWithTheRetriesSoFar() {
        CapturingLogger logger = new CapturingLogger(true);
        AccessLog log = AccessLog.builder("web").logAsap(true).logger(logger).build();
        live(log);
        List<String> lines = logger.lines();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("127\\.0\\.0\\.1:40000 \\[\\S+] web app/s1 -/-/\\+\\d+ \\+0 \\+0 -- 0% 1 #5"),
                lines.get(0));
        assertTrue(lines.get(1).contains(" 0/1/30 20 10 -- "), lines.get(1));
    }

    @Test
    void withInfoOffNothingIsWritten() {
        CapturingLogger logger = new CapturingLogger(false);
        live(AccessLog.builder("web").logAsap(true).logger(logger).build());
        assertEquals(List.of(), logger.lines());
    }

    @Test
    void theFrontendNameIsOneField() {
        InvalidSettingException spaced = assertThrows(InvalidSettingException.class,
                () -> AccessLog.forFrontend("my web"));
        assertEquals("frontend", spaced.setting());
        assertTrue(spaced.getMessage().contains("my web"), spaced.getMessage());
        assertThrows(InvalidSettingException.class, () -> AccessLog.forFrontend(""));
        assertEquals("AccessLog[web, logasap -> zeroproxy.access]",
                AccessLog.builder("web").logAsap(true).build().toString());
    }
}
