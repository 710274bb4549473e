package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, point 7, on the real process: at the default level the forwarder's log is one line
 * at start, one per server state change and one at stop, each in the short format (time,
 * level, logger, message); a server's reset is one debug line, never a stack trace.
 */
@Timeout(60)
class ForwarderLogLinesTest {
    private static final String LINE =
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO |WARN |DEBUG) \\w+: .*";

    /** A loopback port nobody listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void echoThrough(InetSocketAddress proxy, byte[] sent) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(proxy, 5_000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertArrayEquals(sent, client.getInputStream().readAllBytes(), "echoed byte for byte");
        }
    }

    private static List<String> lines(ForwarderProcess zp) {
        return Arrays.asList(zp.log().split("\n"));
    }

    private static long count(List<String> lines, String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }

    private static void awaitNoActiveConnection(ForwarderProcess zp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            zp.signal("USR1");
            try {
                zp.awaitLine("zeroproxy status (SIGUSR1): 0 active connection(s)", Duration.ofMillis(300));
                return;
            } catch (AssertionError stillOpen) {
                if (System.nanoTime() - deadline > 0) {
                    throw stillOpen;
                }
            }
        }
    }

    @Test
    void startServerDownAndStopAreOneLineEach() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                ForwarderProcess zp = ForwarderProcess.start("forward", "--listen", "127.0.0.1:0",
                        "--upstream", "127.0.0.1:" + echo.address().getPort() + ",weight=1",
                        "--upstream", "127.0.0.1:" + closedPort(), "--check=200ms", "--event-loops", "1")) {
            InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
            String down = zp.awaitLine("-> DOWN", Duration.ofSeconds(15));
            assertTrue(down.contains(" WARN  ForwarderListener: zeroproxy server upstream/"), down);
            echoThrough(address, Payload.bytes(60, 20_000));
            // The client reads its EOF as the proxy shuts its side, a moment before the proxy has
            // closed the pair: ask for the status until none is open, so the stop finds none.
            awaitNoActiveConnection(zp);
            zp.signal("TERM");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());

            List<String> lines = lines(zp).stream().filter(l -> !l.contains("zeroproxy status (SIGUSR1)")).toList();
            lines.forEach(l -> assertTrue(l.matches(LINE), "one short line per event: " + l));
            assertEquals(1, count(lines, "zeroproxy forwarding "), zp.log());
            assertEquals(1, count(lines, "-> DOWN"), "one line per state change, not the group's too: " + zp.log());
            assertEquals(0, count(lines, "zeroproxy stopping"), "nothing to drain, no drain line: " + zp.log());
            String stopped = zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1));
            assertTrue(stopped.contains("1 connection(s): 1 served, 0 failed"), stopped);
            assertEquals(3, lines.size(), "start, server down, stop:\n" + zp.log());
        }
    }

    @Test
    void aServerResetIsOneDebugLineWithoutAStackTrace() throws Exception {
        try (LoopbackServer resetting = LoopbackServer.start(socket -> {
                    socket.getInputStream().readNBytes(100);
                    socket.setSoLinger(true, 0);
                    socket.close(); // a reset
                });
                ForwarderProcess zp = ForwarderProcess.start("forward", "--listen", "127.0.0.1:0",
                        "--upstream", "127.0.0.1:" + resetting.address().getPort(), "--event-loops", "1",
                        "--log-level", "debug")) {
            InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
            try (Socket client = new Socket()) {
                client.connect(address, 5_000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write(Payload.bytes(61, 100));
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (SocketException reset) {
                // The proxy passes the server's reset on to the client: the expected end.
            }
            String closed = zp.awaitLine("#1 ", Duration.ofSeconds(10));
            assertTrue(closed.contains(" DEBUG ForwarderListener: ") && closed.contains("100 B up, 0 B down"), closed);
            zp.signal("TERM");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            assertEquals(1, count(lines(zp), "#1 "), "one line for the connection: " + zp.log());
            assertFalse(zp.log().contains("\tat "), "no stack traces: " + zp.log());
            assertTrue(zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1)).contains("0 served"), zp.log());
        }
    }
}
