package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code zeroproxy check -f FILE} in-process through picocli, as {@code haproxy -c} is run:
 * exit code 0 and one line for a valid file; 2 and every error at its {@code file:line:column}
 * (with the keyword probably meant) for a broken one; 2 and one line naming a file that cannot be
 * read. Nothing is bound or started.
 */
@Timeout(30)
class CheckCommandTest {
    /** What one run printed and returned. */
    private record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.strip().lines().toList();
        }
    }

    private static Run check(String... args) {
        CommandLine cmd = Main.commandLine(CommandLine.defaultFactory());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "check";
        System.arraycopy(args, 0, all, 1, args.length);
        int exitCode = cmd.execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void theExampleFileIsValid() {
        // Surefire runs in the module's directory, where the example lives.
        Run run = check("-f", "zeroproxy.cfg");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("Configuration file is valid: zeroproxy.cfg (2 frontend(s) on 2 bind(s), 2 backend(s) with"
                + " 4 server(s); admin endpoint 127.0.0.1:8404/stats, refresh 5s)", run.out().strip());
        assertEquals("", run.err());
    }

    @Test
    void aBrokenFileListsEveryErrorAtItsFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.cfg");
        Files.writeString(file, String.join("\n",
                "frontend web",                              // 1
                "    bind 127.0.0.1:8080",                   // 2
                "    default_backend ap",                    // 3
                "",                                          // 4
                "backend app",                               // 5
                "    ballance roundrobin",                   // 6
                "    server s1 127.0.0.1:9001 wieght 2",     // 7
                "    server s2 127.0.0.1:9002",              // 8
                "    option httplog",                        // 9
                ""));
        Run run = check("-f", file.toString());

        assertEquals(2, run.exitCode(), run.err());
        assertEquals("", run.out());
        List<String> lines = run.errLines();
        assertEquals("zeroproxy check: " + file + ": 4 error(s)", lines.get(0), run.err());
        List<String> errors = lines.subList(1, lines.size());
        assertEquals(4, errors.size(), run.err());
        for (String error : errors) {
            assertTrue(error.matches("\\Q" + file + "\\E:\\d+:\\d+: [a-z_ -]+: .+ \\(expected: .+\\).*"),
                    "file:line:column: keyword: problem (expected: ...), got: " + error);
        }
        assertTrue(errors.get(0).startsWith(file + ":3:21: default_backend: no backend named 'ap'"), errors.get(0));
        assertTrue(errors.get(0).endsWith("; did you mean 'app'?"), errors.get(0));
        assertTrue(errors.get(1).startsWith(file + ":6:5: ballance: 'ballance' is not a keyword of section backend"),
                errors.get(1));
        assertTrue(errors.get(1).endsWith("; did you mean 'balance'?"), errors.get(1));
        assertTrue(errors.get(2).startsWith(file + ":7:30: server: 'wieght' is not a server option"), errors.get(2));
        assertTrue(errors.get(2).endsWith("; did you mean 'weight'?"), errors.get(2));
        assertTrue(errors.get(3).startsWith(file + ":9:5: option httplog: 'option httplog' is an HAProxy keyword"),
                errors.get(3));
        assertTrue(errors.get(3).contains("ZeroProxy does not support"), errors.get(3));
        assertFalse(run.err().contains("Exception"), "no exception names or stack traces:\n" + run.err());
    }

    /** A value the parser reads but the library refuses is reported at the line that wrote it, too. */
    @Test
    void aSettingTheLibraryRefusesIsReportedAtItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("weights.cfg");
        Files.writeString(file, String.join("\n",
                "frontend web",                              // 1
                "    bind 127.0.0.1:8080",                   // 2
                "    default_backend app",                   // 3
                "backend app",                               // 4
                "    server s1 127.0.0.1:9001",              // 5
                "    server s2 127.0.0.1:9002 weight 0",     // 6
                ""));
        Run run = check("-f", file.toString());

        assertEquals(2, run.exitCode(), run.err());
        List<String> lines = run.errLines();
        assertEquals("zeroproxy check: " + file + ": 1 error(s)", lines.get(0), run.err());
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(1).startsWith(file + ":6:"), lines.get(1));
        assertTrue(lines.get(1).contains("weight"), lines.get(1));
    }

    @Test
    void aMissingFileIsOneLineNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.cfg");
        Run run = check("-f", missing.toString());

        assertEquals(2, run.exitCode(), run.err());
        assertEquals("", run.out());
        List<String> lines = run.errLines();
        assertEquals(1, lines.size(), "one line, got:\n" + run.err());
        assertTrue(lines.get(0).startsWith("zeroproxy check: " + missing + ": "), lines.get(0));
        assertTrue(lines.get(0).contains("no such file"), lines.get(0));
        assertFalse(lines.get(0).contains("Exception"), lines.get(0));
    }

    @Test
    void helpListsTheFileOption() {
        Run run = check("--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("-f, --file=FILE"), run.out());
        assertTrue(run.out().contains("Usage: zeroproxy check"), run.out());
    }
}
