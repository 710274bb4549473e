package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The page and its figures from a report made by hand: escaping, the refresh, the short forms. */
class StatsPageTest {

    @Test
    void namesAreEscapedAndTheRefreshIsAsAsked() {
        StatsReport.ServerRow server = new StatsReport.ServerRow("<b>&\"s\"", "127.0.0.1:1", "DOWN",
                Duration.ofSeconds(130), 1, true, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
                new StatsReport.Check(false, "expected 'PONG' got '<x>'", Duration.ofMillis(4), Duration.ofSeconds(2)));
        StatsReport report = new StatsReport(
                new StatsReport.Process("1", "4.2", "17", 1, Duration.ofHours(3), 2, "nio", 1, 0, 0, 0, 0, 0,
                        Instant.parse("2026-01-01T00:00:00.5Z")),
                List.of(new StatsReport.FrontendRow("fe<script>", List.of(new StatsReport.Bind("127.0.0.1:80", true)),
                        "copy", "be", 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0)),
                List.of(new StatsReport.BackendRow("be", "roundrobin", 0, 0, 0, List.of(server), server)));
        String page = StatsPage.render(report, Duration.ofSeconds(30));
        assertTrue(page.contains("content=\"30\""), page);
        assertFalse(page.contains("<script>") || page.contains("<b>&"), page);
        assertTrue(page.contains("Frontend fe&lt;script&gt;"), page);
        assertTrue(page.contains("data-server=\"&lt;b&gt;&amp;&quot;s&quot;\""), page);
        assertTrue(page.contains(">DOWN 2m10s</td>"), page);
        assertTrue(page.contains("FAIL: expected &#39;PONG&#39; got &#39;&lt;x&gt;&#39; in 4 ms, 2s ago"), page);
        assertTrue(page.contains("taken 2026-01-01T00:00:00Z"), page);
        assertFalse(StatsPage.render(report, Duration.ZERO).contains("http-equiv"), "0: no refresh");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "59, 59s", "125, 2m05s", "3600, 1h00m", "11000, 3h03m", "97200, 1d03h"})
    void durationsAreShortAsHaproxyWritesThem(long seconds, String written) {
        assertEquals(written, Figures.duration(Duration.ofSeconds(seconds)));
    }

    @ParameterizedTest
    @CsvSource({"0, 0 B", "1023, 1023 B", "1536, 1.5 KiB", "1073741824, 1.0 GiB"})
    void bytesOnHoverAreInBinaryUnits(long bytes, String written) {
        assertEquals(written, Figures.bytes(bytes));
    }
}
