package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The --stats line in its two modes, with a short interval instead of 1 s and 10 s: plain
 * lines from a real proxy's figures, and the terminal's line rewritten in place, ended with a
 * newline at the close.
 */
@Timeout(30)
class LiveStatsTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    /** Collects what is printed, line by line. */
    private static final class LineSink extends OutputStream {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }
    }

    @Test
    void offATerminalItPrintsOnePlainLinePerIntervalWithTheProxysFigures() throws Exception {
        LineSink sink = new LineSink();
        byte[] sent = Payload.bytes(50, 30_000);
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = Proxy.builder().listen(new InetSocketAddress("127.0.0.1", 0)).upstream(echo.address())
                        .start();
                LiveStats live = new LiveStats(proxy::stats, new PrintStream(sink, true, StandardCharsets.UTF_8),
                        false, INTERVAL);
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5_000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write(sent);
            assertArrayEquals(sent, client.getInputStream().readNBytes(sent.length), "echoed byte for byte");
            // The interval in which the bytes moved may have been cut by a tick: wait for the one
            // that shows the open connection, within a bounded number of lines.
            String line = null;
            for (int i = 0; i < 100 && (line == null || !line.contains(" stats conns 1 ")); i++) {
                line = sink.lines.poll(10, TimeUnit.SECONDS);
                assertNotNull(line, "a line every " + INTERVAL);
            }
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} stats conns 1  new \\S+/s"
                    + "  in \\S+ \\S+/s  out \\S+ \\S+/s  spliced \\S+  errors 0"), line);
        }
    }

    @Test
    void onATerminalItRewritesOneLineAndEndsItWithANewline() throws Exception {
        CountDownLatch twoTicks = new CountDownLatch(2);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        OutputStream counting = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                screen.write(b);
                if (b == '\r') {
                    twoTicks.countDown();
                }
            }
        };
        LiveStats live = new LiveStats(() -> StatsLineTestFigures.IDLE, new PrintStream(counting, true,
                StandardCharsets.UTF_8), true, INTERVAL);
        try {
            assertTrue(twoTicks.await(10, TimeUnit.SECONDS), "two ticks");
            String shown;
            synchronized (counting) {
                shown = screen.toString(StandardCharsets.UTF_8);
            }
            assertFalse(shown.contains("\n"), "in place, no new rows: " + shown);
            assertTrue(shown.startsWith("\rconns 1  new 0.0/s  in 0 B/s  out 0 B/s  spliced -  errors 0"), shown);
        } finally {
            live.close();
        }
        String all = screen.toString(StandardCharsets.UTF_8);
        assertTrue(all.endsWith("errors 0" + System.lineSeparator()), "the last line stays, then a newline: " + all);
        assertEquals(1, all.split("\n", -1).length - 1, "one newline, at the close");
    }
}
