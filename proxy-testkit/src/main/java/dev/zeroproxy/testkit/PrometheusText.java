package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Parses Prometheus exposition text with the reference parser of another implementation,
 * Python's {@code prometheus_client} (Debian's python3-prometheus-client), run as
 * {@code /usr/bin/python3}: a Java test reading the text with Java code could share the
 * writer's mistakes. Skips (with the cause) where that program is absent.
 */
public final class PrometheusText {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Prints one line per sample: family, type, sample name, labels (k=v, sorted, comma-separated), value. */
    private static final String PARSER = String.join("\n",
            "import sys",
            "from prometheus_client.parser import text_string_to_metric_families as parse",
            "for family in parse(sys.stdin.read()):",
            "    for s in family.samples:",
            "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
            "        print('\\t'.join([family.name, family.type, s.name, labels, repr(float(s.value))]))");

    private PrometheusText() { }

    /** One sample as the parser returned it. */
    public record Sample(String family, String type, String name, String labels, double value) { }

    /** Skips the calling test unless {@code /usr/bin/python3} can import {@code prometheus_client.parser}. */
    public static void assumeParser() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON),
                PYTHON + " is absent: install Debian's python3 and python3-prometheus-client to run this test");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client.parser")
                .redirectErrorStream(true).start();
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = probe.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            probe.destroyForcibly();
        }
        Assumptions.assumeTrue(done && probe.exitValue() == 0, "python3 cannot import prometheus_client"
                + " (install Debian's python3-prometheus-client to run this test): " + said.strip());
    }

    /** Parses {@code text}; fails, with the parser's own words, if it refuses any of it. */
    public static List<Sample> parse(String text) throws IOException, InterruptedException {
        File errors = File.createTempFile("prometheus-parser", ".err");
        try {
            Process parser = new ProcessBuilder(PYTHON.toString(), "-c", PARSER)
                    .redirectError(errors).start();
            try (OutputStream in = parser.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            // The parser reads all its input before it prints: reading after writing cannot block.
            String out = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!parser.waitFor(30, TimeUnit.SECONDS)) {
                parser.destroyForcibly();
                throw new AssertionError("the parser did not finish within 30 s");
            }
            assertEquals(0, parser.exitValue(), () -> "the parser refused the text: "
                    + readQuietly(errors.toPath()) + "\n--- text:\n" + text);
            List<Sample> samples = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isEmpty()) {
                    String[] f = line.split("\t", -1);
                    assertEquals(5, f.length, line);
                    samples.add(new Sample(f[0], f[1], f[2], f[3], Double.parseDouble(f[4])));
                }
            }
            assertTrue(!samples.isEmpty(), "no sample parsed from: " + text);
            return samples;
        } finally {
            Files.deleteIfExists(errors.toPath());
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
