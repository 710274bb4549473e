package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * {@code zeroproxy forward --access-log} in-process: N connections give exactly N lines, each
 * read back with its exact bytes; {@code -} writes them to stdout, with {@code --log-asap} two
 * per connection; a path that cannot be opened is a one-line usage error before anything binds.
 */
@Timeout(60)
class ForwardAccessLogTest {
    private static final int CONNECTIONS = 5;

    /** What one run printed and returned. */
    private record Run(int exitCode, String err) { }

    private static Run run(ProxyLifetime lifetime, String... args) {
        IFactory factory = new IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ForwardCommand.class ? cls.cast(new ForwardCommand(lifetime))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cmd = Main.commandLine(factory);
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        return new Run(cmd.execute(args), err.toString());
    }

    /** A lifetime that relays {@link #CONNECTIONS} connections of sizes 1000 * (i + 1) through the echo, then stops. */
    private static final ProxyLifetime SOME_CONNECTIONS = (proxy, listener) -> {
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                byte[] sent = Payload.bytes(40 + i, 1000 * (i + 1));
                try (Socket client = new Socket()) {
                    client.connect(proxy.localAddress(), 5_000);
                    client.setSoTimeout(10_000);
                    client.getOutputStream().write(sent);
                    client.shutdownOutput();
                    assertArrayEquals(sent, client.getInputStream().readAllBytes(), "echoed byte for byte");
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            proxy.close(); // drains: every connection's line is logged before the command returns
        }
        return 0;
    };

    private static void assertOneLinePerConnection(List<String> lines) {
        assertEquals(CONNECTIONS, lines.size(), "one line per connection:\n" + String.join("\n", lines));
        Set<String> ids = new HashSet<>();
        for (String text : lines) {
            AccessLines line = AccessLines.parse(text);
            ids.add(line.id());
            long size = 1000L * Long.parseLong(line.id()); // connection #i sent 1000 * i bytes
            assertEquals("forward", line.frontend());
            assertEquals("upstream", line.backend(), "the forwarder's group");
            assertEquals(size, line.bytesFromClient(), text);
            assertEquals(size, line.bytesToClient(), text);
            assertEquals("--", line.state(), text);
            assertTrue(line.tc() >= 0, text);
        }
        assertEquals(Set.of("1", "2", "3", "4", "5"), ids);
    }

    @Test
    void nConnectionsGiveExactlyNLinesInTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "an earlier line\n"); // appended to, not replaced
        try (LoopbackServer echo = LoopbackServer.echo()) {
            Run run = run(SOME_CONNECTIONS, "forward", "--listen", "127.0.0.1:0", "--upstream",
                    "127.0.0.1:" + echo.address().getPort(), "--access-log", file.toString());
            assertEquals(0, run.exitCode(), run.err());
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("an earlier line", lines.get(0));
        assertOneLinePerConnection(lines.subList(1, lines.size()));
    }

    @Test
    void dashWritesToStdoutAndLogAsapAddsAnEarlyLineEach() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (LoopbackServer echo = LoopbackServer.echo()) {
            Run run = run(SOME_CONNECTIONS, "forward", "--listen", "127.0.0.1:0", "--upstream",
                    "127.0.0.1:" + echo.address().getPort(), "--access-log", "-", "--log-asap");
            assertEquals(0, run.exitCode(), run.err());
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> early = lines.stream().filter(l -> AccessLines.parse(l).early()).toList();
        List<String> closing = lines.stream().filter(l -> !AccessLines.parse(l).early()).toList();
        assertEquals(CONNECTIONS, early.size(), String.join("\n", lines));
        early.forEach(l -> assertTrue(l.contains(" +0 +0 -- "), l));
        assertOneLinePerConnection(closing);
    }

    @Test
    void aPathThatCannotBeOpenedIsAUsageErrorNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-dir").resolve("access.log");
        Run run = run((proxy, listener) -> {
            proxy.close();
            throw new AssertionError("started despite an access log that cannot be opened");
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--access-log", missing.toString());
        assertEquals(2, run.exitCode(), run.err());
        String line = run.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("zeroproxy forward: --access-log: cannot open " + missing), line);
        assertTrue(line.contains("no such directory"), line);
        assertFalse(Files.exists(missing.getParent()), "nothing created");
    }

    @Test
    void logAsapWithoutAnAccessLogIsAUsageError() {
        Run run = run((proxy, listener) -> {
            proxy.close();
            throw new AssertionError("started with --log-asap alone");
        }, "forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--log-asap");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--log-asap") && run.err().contains("expected: with --access-log"), run.err());
    }
}
