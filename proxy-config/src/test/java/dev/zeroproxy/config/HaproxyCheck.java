package dev.zeroproxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real {@code haproxy -c -f} over a test's configuration file: every file a test parses
 * successfully and that has only HAProxy keywords must also be valid to HAProxy (2.6, Debian's),
 * so that the subset stays HAProxy's syntax and not a look-alike. Called where the tests parse
 * ({@link Configs#parse}, {@link Configs#running}), once per distinct text and environment.
 *
 * <p>Skipped for a file with a ZeroProxy-only keyword ({@code transport}, {@code forwarding},
 * {@code splice-threshold}) or a host name other than {@code localhost} (the parser tests'
 * resolver knows names the machine does not, such as {@code twin}). Where HAProxy is not
 * installed, the check is skipped (the parse tests still run) and the reason is printed once.
 */
final class HaproxyCheck {
    /** Debian's; {@code -Dzeroproxy.test.haproxy=PATH} for another (or a missing one, to see the skip). */
    static final Path HAPROXY = Path.of(System.getProperty("zeroproxy.test.haproxy", "/usr/sbin/haproxy"));
    private static final Set<String> ZEROPROXY_ONLY = Set.of("transport", "forwarding", "splice-threshold");
    private static final Map<String, Outcome> CHECKED = new ConcurrentHashMap<>();
    private static final AtomicBoolean TOLD_UNAVAILABLE = new AtomicBoolean();

    /** What {@code haproxy -c} said about a file. */
    record Outcome(int exitCode, String output) { }

    private HaproxyCheck() { }

    /** Why the check cannot run here; empty where HAProxy is installed. */
    static Optional<String> unavailable() {
        return Files.isExecutable(HAPROXY) ? Optional.empty()
                : Optional.of("HAProxy is not installed at " + HAPROXY + " (Debian: apt-get install haproxy)");
    }

    /**
     * Asserts that {@code haproxy -c} accepts {@code text}, run with exactly {@code environment}
     * (what the parse expanded {@code "$VAR"} from), unless the file is not HAProxy's (see the
     * class comment) or HAProxy is absent.
     *
     * @param hostNames the names the parse resolved
     */
    static void assertAccepts(String text, Map<String, String> environment, Set<String> hostNames) {
        if (!onlyHaproxyKeywords(text) || !hostNames.stream().allMatch("localhost"::equals)) {
            return;
        }
        Optional<String> cause = unavailable();
        if (cause.isPresent()) {
            if (TOLD_UNAVAILABLE.compareAndSet(false, true)) {
                System.err.println("HaproxyCheck: skipped, test files not checked by haproxy -c: " + cause.get());
            }
            return;
        }
        Outcome outcome = CHECKED.computeIfAbsent(environment + "\u0000" + text, key -> run(text, environment));
        if (outcome.exitCode() != 0) {
            throw new AssertionError("haproxy -c -f refused a file ZeroProxy accepts (exit " + outcome.exitCode()
                    + ")\n--- file ---\n" + text + "--- haproxy says ---\n" + outcome.output());
        }
    }

    /** Whether no line starts with a ZeroProxy-only keyword. */
    static boolean onlyHaproxyKeywords(String text) {
        return text.lines().map(String::strip).map(line -> line.split("[ \t]", 2)[0])
                .noneMatch(ZEROPROXY_ONLY::contains);
    }

    /** Runs {@code haproxy -c -f} on the text, with exactly {@code environment}. */
    static Outcome run(String text, Map<String, String> environment) {
        Path file = null;
        Path output = null;
        try {
            file = Files.createTempFile("haproxy-check", ".cfg");
            output = Files.createTempFile("haproxy-check", ".out");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            // Not -q: it would hide the alerts that say what is wrong.
            ProcessBuilder builder = new ProcessBuilder(HAPROXY.toString(), "-c", "-f", file.toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("haproxy -c -f did not finish within 30 s on:\n" + text);
            }
            return new Outcome(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + HAPROXY + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while haproxy -c ran", e);
        } finally {
            deleteQuietly(file);
            deleteQuietly(output);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // A temporary file left behind harms nothing.
            }
        }
    }
}
