package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The files users see, the example and the real-world ones, are valid to the real
 * {@code haproxy -c -f} (Debian's 2.6) as they are, and to ZeroProxy: the syntax is HAProxy's.
 * Every other test file goes through the same check where it is parsed ({@link HaproxyCheck});
 * here it is explicit, and aborted, saying why, where HAProxy is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyAcceptsOurFilesTest {

    @BeforeEach
    void haproxyIsInstalled() {
        HaproxyCheck.unavailable().ifPresent(Assumptions::abort);
    }

    @Test
    void theExampleFileIsValidToHaproxyAndToZeroproxy() throws IOException {
        assertBothAccept(Path.of("..", "proxy-examples", "zeroproxy.cfg"));
    }

    @Test
    void theRealWorldFilesAreValidToHaproxyAndToZeroproxy() throws IOException, URISyntaxException {
        Path directory = Path.of(HaproxyAcceptsOurFilesTest.class.getResource("/real-world").toURI());
        List<Path> files = new ArrayList<>();
        try (var listing = Files.list(directory)) {
            listing.filter(path -> path.toString().endsWith(".cfg")).sorted().forEach(files::add);
        }
        assertEquals(4, files.size(), files::toString);
        for (Path file : files) {
            assertBothAccept(file);
        }
    }

    private static void assertBothAccept(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), () -> file + " is missing");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(HaproxyCheck.onlyHaproxyKeywords(text), () -> file + " has a ZeroProxy-only keyword");

        HaproxyCheck.Outcome outcome = HaproxyCheck.run(text, Map.of());

        assertEquals(0, outcome.exitCode(), () -> "haproxy -c -f " + file + ":\n" + outcome.output());
        Deployment.check(ConfigParser.parse(file));
    }
}
