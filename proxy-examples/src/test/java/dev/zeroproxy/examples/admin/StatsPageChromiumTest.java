package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stats page in a real browser: Debian's headless Chromium loads {@code /stats} of a proxy
 * that has carried traffic and holds connections open; the DOM it built has the frontend's and
 * each server's rows with their figures, and its screenshot is a PNG. Skipped, saying why, where
 * Chromium is not installed ({@code apt-get install chromium}).
 */
@Timeout(150)
class StatsPageChromiumTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void headlessChromiumShowsTheFrontendAndServerRowsAndTakesAScreenshot(@TempDir Path dir) throws Exception {
        Optional<Chromium> chromium = Chromium.find();
        assumeTrue(chromium.isPresent(), "Chromium is not installed (no chromium or chromium-browser on the PATH,"
                + " no /usr/bin/chromium; Debian package: chromium): the stats page's browser test is skipped");
        try (AdminFixture f = new AdminFixture()) {
            f.exchange(1, 100_000);
            f.exchange(2, 30_000);
            f.awaitClosed(2);
            try (Socket open = f.open(3, 5000)) {
                String url = f.uri("/stats").toString();
                Chromium.Result dom = chromium.get().run(dir, 60, url, "--dump-dom");
                assertEquals(0, dom.exitCode(), dom.stderr());
                String html = dom.stdout();
                assertTrue(html.contains("Frontend web") && html.contains("Backend app (balance roundrobin)"), html);
                assertTrue(html.contains("data-frontend=\"web\""), "the frontend's row: " + html);
                for (String server : new String[] {"s1", "s2"}) {
                    assertTrue(html.contains("data-backend=\"app\" data-server=\"" + server + "\""),
                            "server " + server + "'s row: " + html);
                }
                // The frontend row as the browser parsed it: 1 open, 3 accepted, the bytes in exactly.
                int row = html.indexOf("data-frontend=\"web\"");
                String frontend = html.substring(row, html.indexOf("</tr>", row));
                assertTrue(frontend.contains("<td>1</td>") && frontend.contains("<td>3</td>")
                        && frontend.contains(">135000</td>"), frontend);

                Path png = dir.resolve("stats.png");
                Chromium.Result shot = chromium.get().run(dir, 60, url, "--screenshot=" + png,
                        "--window-size=1280,800", "--hide-scrollbars");
                assertEquals(0, shot.exitCode(), shot.stderr());
                assertTrue(Files.size(png) > 10_000, "a screenshot with something on it: " + Files.size(png) + " bytes");
                try (InputStream in = Files.newInputStream(png)) {
                    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(in.readNBytes(8), 8), "a PNG");
                }
            }
        }
    }
}
