package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code zeroproxy forward} process, driven with signals as an operator (or a service
 * manager) would: what each signal does, the exit codes, and what the peers of a cut
 * connection read. Loopback only; each test's forwarder is killed at the end if still running.
 */
@Timeout(60)
class ForwarderSignalsTest {
    private ServerSocket upstream;
    private Thread echo;

    /** An upstream that echoes each connection until it ends, one thread per connection. */
    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echo = EchoUpstream.serve(upstream);
    }

    @AfterEach
    void stopUpstream() throws IOException {
        upstream.close();
    }

    private ForwarderProcess forwarder(String... extra) throws IOException {
        String[] base = {"forward", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream.getLocalPort(),
                "--event-loops", "1"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return ForwarderProcess.start(args);
    }

    /** A client that has exchanged one round trip through {@code proxy}, so its pair is open. */
    private static Socket openPair(InetSocketAddress proxy) throws IOException {
        Socket client = new Socket();
        client.connect(proxy, 5_000);
        client.setSoTimeout(15_000);
        byte[] sent = new byte[4096];
        new Random(7).nextBytes(sent);
        client.getOutputStream().write(sent);
        byte[] got = client.getInputStream().readNBytes(sent.length);
        assertEquals(new String(sent, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(got, java.nio.charset.StandardCharsets.ISO_8859_1), "echoed byte for byte");
        return client;
    }

    @Test
    void sigtermDrainsAndExitsZero() throws Exception {
        try (ForwarderProcess zp = forwarder("--drain-timeout", "10s")) {
            InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
            try (Socket client = openPair(address)) {
                zp.signal("TERM");
                zp.awaitLine("zeroproxy stopping", Duration.ofSeconds(10));
                client.shutdownOutput(); // the pair finishes on its own within the drain
                assertEquals(-1, client.getInputStream().read());
            }
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            assertTrue(zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1)).contains("0 by the drain timeout"));
        }
    }

    /** Issue 9, finding 1 replayed: the drain timeout cuts a pair, and its client reads a reset, not EOF. */
    @Test
    void theDrainTimeoutCutsWithAReset() throws Exception {
        try (ForwarderProcess zp = forwarder("--drain-timeout", "1s")) {
            try (Socket client = openPair(zp.awaitReady(Duration.ofSeconds(20)))) {
                zp.signal("TERM");
                assertThrows(SocketException.class, () -> readToEnd(client.getInputStream()),
                        "the client of a cut pair reads a reset");
            }
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            assertTrue(zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1)).contains("1 by the drain timeout"),
                    zp.log());
        }
    }

    /** Issue 9, finding 4: a second SIGTERM during the drain ends it at once, exit 143, resets. */
    @Test
    void aSecondSigtermCutsTheDrainShortAndExits143() throws Exception {
        try (ForwarderProcess zp = forwarder("--drain-timeout", "60s")) {
            try (Socket client = openPair(zp.awaitReady(Duration.ofSeconds(20)))) {
                zp.signal("TERM");
                zp.awaitLine("zeroproxy stopping", Duration.ofSeconds(10));
                Thread.sleep(300); // still draining: the pair is open and quiet
                assertTrue(zp.isAlive(), "the first SIGTERM drains, for up to 60 s");
                zp.signal("TERM");
                assertThrows(SocketException.class, () -> readToEnd(client.getInputStream()),
                        "the client of the cut pair reads a reset");
            }
            assertEquals(143, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            zp.awaitLine("second SIGTERM while draining", Duration.ofSeconds(1));
            assertTrue(zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1)).contains("1 by the forced stop"),
                    zp.log());
        }
    }

    /** Issue 9, finding 4: SIGHUP, SIGUSR1 and SIGUSR2 neither stop nor crash the forwarder. */
    @Test
    void hupAndUsrSignalsKeepItServing() throws Exception {
        try (ForwarderProcess zp = forwarder()) {
            InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
            try (Socket client = openPair(address)) {
                zp.signal("HUP");
                zp.awaitLine("forward has no configuration file to reload", Duration.ofSeconds(10));
                zp.signal("USR1");
                assertTrue(zp.awaitLine("status (SIGUSR1)", Duration.ofSeconds(10)).contains("1 active connection(s)"),
                        zp.log());
                zp.signal("USR2");
                zp.awaitLine("status (SIGUSR2)", Duration.ofSeconds(10));
                assertTrue(zp.isAlive(), zp.log());
                client.shutdownOutput();
                assertEquals(-1, client.getInputStream().read());
            }
            openPair(address).close(); // still serving
            zp.signal("INT");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
        }
    }

    /**
     * HotSpot suspends threads with SIGUSR2 unless told another signal, JDK Flight Recorder's
     * sampler among others: the forwarder handles SIGUSR2 only when the JVM was told (the launcher
     * does), so that a recording's samples never reach it as status requests.
     */
    @Test
    void sigusr2IsTheForwardersOnlyWhenTheJvmSuspendsThreadsWithAnotherSignal() {
        assertTrue(Signals.usr2IsFree("39"));
        assertFalse(Signals.usr2IsFree(null), "unset: HotSpot uses SIGUSR2 itself");
        assertFalse(Signals.usr2IsFree("12"), "12 is SIGUSR2");
        assertFalse(Signals.usr2IsFree("usr1"), "a value HotSpot cannot read leaves it at SIGUSR2");
    }

    @Test
    void aFlightRecordingsThreadSamplesAreNotTakenForStatusRequests(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("run.jfr");
        try (ForwarderProcess zp = forwarder("--jfr", recording.toString())) {
            InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) { // Bounded: two seconds of connections for the sampler to see.
                try (Socket client = openPair(address)) {
                    client.shutdownOutput();
                    assertEquals(-1, client.getInputStream().read());
                }
            }
            zp.signal("TERM");
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            assertFalse(zp.log().contains("status (SIGUSR2)"), "no SIGUSR2 of the JVM's reached the forwarder:\n"
                    + zp.log());
        }
        assertTrue(jdk.jfr.consumer.RecordingFile.readAllEvents(recording).stream()
                .anyMatch(e -> e.getEventType().getName().equals("jdk.ExecutionSample")), "the sampler sampled");
    }

    private static void readToEnd(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }
}
