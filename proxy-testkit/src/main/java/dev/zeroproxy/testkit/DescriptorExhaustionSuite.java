package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Out of file descriptors for real: the proxy runs in a child JVM ({@link ChildProxy}) that is
 * left exactly as many descriptors as a few connections need, and the test opens connections
 * until the kernel refuses the proxy one with {@code EMFILE}, at accept or at the upstream
 * socket. Each transport module runs it by subclassing and naming its {@link #transport()}.
 *
 * <p>What must hold while the shortage lasts, and after: the proxy stays alive; it does not
 * spin (its CPU time over a two-second window stays far below a core: a retry loop takes all
 * of one); it logs about once a second at most (no record, let alone a stack trace, per
 * failure); the pairs it already relayed go on relaying byte for byte; and once the test closes
 * its extra connections, the proxy serves again by itself, byte for byte, with no channel and no
 * buffer left behind.
 *
 * <p>One child proxy serves the whole class (a JVM start is most of a test's time); each test
 * starts from a proxy holding no connection and all its descriptors, and leaves it so.
 * Unavailable transports are skipped with their cause, as in {@link RelaySuite}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DescriptorExhaustionSuite {
    /** Pairs the reserve leaves room for: two descriptors each (client and upstream socket). */
    private static final int EXTRA_PAIRS = 4;
    /** Pairs relaying before the shortage, which must keep relaying through it. */
    private static final int OLD_PAIRS = 2;
    /**
     * Above the splice threshold both ways, in reads large enough to be bulk (AUTO switches on a
     * read of 16 KiB or more past its threshold), so that the old pairs splice, where the mode does.
     */
    private static final int OLD_PAIR_BYTES = 64 * 1024;
    /** What {@link #relayByteExact} sends before it reads the echo. */
    private static final int OLD_PAIR_CHUNK = 32 * 1024;
    private static final int FRESH_PAIR_BYTES = 256 * 1024;
    /** The window the proxy's CPU time is measured over while it is out of descriptors. */
    private static final Duration WINDOW = Duration.ofSeconds(2);
    /**
     * A busy retry loop wants a whole core all the time (on a CPU or queued for one, however
     * loaded the machine); an idle proxy a few percent. Generous: the machine is noisy.
     */
    private static final double MAX_RUNNABLE_SHARE = 0.30;
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    /** How long a served connection's echo may take before the test asks the proxy whether it accepted it. */
    private static final Duration ECHO_HINT = Duration.ofMillis(300);
    /**
     * How long a connection the echo did not answer may take to show up as accepted before it is
     * taken for one left in the accept queue: a loaded machine can be slow to accept, and one
     * look would misclassify it. Out of descriptors, the count cannot rise however long one waits.
     */
    private static final Duration ACCEPT_PATIENCE = Duration.ofMillis(1500);

    private LoopbackServer echo;
    private ChildProxy child;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    /**
     * AUTO's threshold: low, so the old pairs' exchange before the shortage is spliced both
     * ways and their pipes already exist (a pipe that cannot be made is another test's subject).
     */
    protected long spliceThreshold() {
        return 16 * 1024;
    }

    @BeforeAll
    void startChild() throws IOException {
        TransportAssumptions.assumeAvailable(transport());
        echo = LoopbackServer.echo();
        child = ChildProxy.start(transport().name(), forwarding(), spliceThreshold(), echo.address());
    }

    @AfterAll
    void stopChild() throws IOException {
        // Either is null if the class was skipped before it started.
        try {
            if (child != null) {
                child.close();
            }
        } finally {
            if (echo != null) {
                echo.close();
            }
        }
    }

    @BeforeEach
    void fromAnIdleProxy() throws IOException {
        assertTrue(child.isAlive(), "the proxy died in an earlier test:\n" + child.logText());
        child.awaitConnections(0, PATIENCE);
    }

    @AfterEach
    void giveTheDescriptorsBack() throws IOException {
        if (child.isAlive()) {
            child.release();
        }
    }

    @Test
    void outOfDescriptorsAtAcceptTheListenerPausesQuietlyAndRecoversByItself() throws Exception {
        List<ScriptedPeer> peers = new ArrayList<>();
        try {
            List<ScriptedPeer> old = openOldPairs(peers);
            child.reserveAllBut(2 * EXTRA_PAIRS);
            long shortageStart = System.nanoTime();
            int recordsBefore = child.logRecords().size();

            // Open connections until one is not accepted: the reserve leaves room for EXTRA_PAIRS pairs.
            byte[] ping = Payload.bytes(5, 1024);
            List<ScriptedPeer> served = new ArrayList<>();
            ScriptedPeer waiting = null;
            for (int i = 0; i < EXTRA_PAIRS + 4 && waiting == null; i++) {
                ScriptedPeer client = connect(child, peers);
                ScriptedPeer.Observed answer = ping(client, ping, ECHO_HINT);
                if (answer.end() == ScriptedPeer.End.TIMEOUT && answer.bytes().length == 0
                        && acceptedWithin(child, OLD_PAIRS + served.size(), ACCEPT_PATIENCE)) {
                    // Slow, not waiting: the proxy did accept it.
                    answer = client.readUpTo(ping.length, PATIENCE);
                }
                if (answer.bytes().length == ping.length) {
                    assertArrayEquals(ping, answer.bytes(), "connection " + i + " echoed byte for byte");
                    served.add(client);
                } else {
                    assertEquals(ScriptedPeer.End.TIMEOUT, answer.end(), "connection " + i + " was cut: "
                            + answer.end() + " after " + answer.bytes().length + " bytes\n" + child.logText());
                    waiting = client;
                }
            }
            assertNotNull(waiting, "the proxy never ran out of descriptors at accept");
            assertEquals(EXTRA_PAIRS, served.size(), "pairs served until the descriptors ran out");

            assertQuietWhileOutOfDescriptors(child);
            relayByteExact(old, 11);
            assertEquals(0, waiting.readUpTo(1, Duration.ofMillis(10)).bytes().length,
                    "the waiting client is not served while the descriptors are taken");
            assertLogsAtMostOncePerSecond(child, recordsBefore, shortageStart, true);

            // Descriptors come back as the extra pairs close: the waiting client is served by itself.
            closeCleanly(served);
            ScriptedPeer.Observed late = waiting.readUpTo(ping.length, PATIENCE);
            assertArrayEquals(ping, late.bytes(), "the waiting client is accepted and served once descriptors free up");
            closeCleanly(List.of(waiting));
            assertFreshPairRelays(child, peers);
            closeCleanly(old);
            assertNothingLeft(child);
        } finally {
            closeAll(peers);
        }
    }

    @Test
    void outOfDescriptorsAtTheUpstreamSocketEachClientIsRefusedQuietlyAndTheProxyRecovers() throws Exception {
        List<ScriptedPeer> peers = new ArrayList<>();
        try {
            List<ScriptedPeer> old = openOldPairs(peers);
            // One more than the pairs need: the next client is accepted, its upstream socket is not.
            child.reserveAllBut(2 * EXTRA_PAIRS + 1);
            long shortageStart = System.nanoTime();
            int recordsBefore = child.logRecords().size();

            byte[] ping = Payload.bytes(6, 1024);
            List<ScriptedPeer> served = new ArrayList<>();
            boolean refused = false;
            for (int i = 0; i < EXTRA_PAIRS + 4 && !refused; i++) {
                ScriptedPeer client = connect(child, peers);
                ScriptedPeer.Observed answer = ping(client, ping, PATIENCE);
                if (answer.bytes().length == ping.length) {
                    assertArrayEquals(ping, answer.bytes(), "connection " + i + " echoed byte for byte");
                    served.add(client);
                } else {
                    assertRefused(answer, "connection " + i, child);
                    refused = true;
                }
            }
            assertTrue(refused, "the proxy never ran out of descriptors at the upstream socket");
            assertEquals(EXTRA_PAIRS, served.size(), "pairs served until the descriptors ran out");

            // The shortage goes on, with a client arriving 250 ms after the last was refused: each is
            // refused with a reset. Not faster than the listener's pause: at the last descriptor, the
            // accept after a successful one fails (the kernel wants a free descriptor before it even
            // looks at its queue), so the listener pauses after every client it takes.
            Usage before = Usage.of(child);
            int arrivals = 0;
            while (System.nanoTime() - before.nanoTime() < WINDOW.toNanos()) {
                try (ScriptedPeer client = new ScriptedPeer(SocketChannel.open(child.address()))) {
                    // Nothing is sent: the reset may come before any write could land.
                    assertRefused(client.readToEnd(PATIENCE), "arrival " + arrivals, child);
                }
                arrivals++;
                TimeUnit.MILLISECONDS.sleep(250);
            }
            assertNoSpin(child, before);
            relayByteExact(old, 12);
            assertLogsAtMostOncePerSecond(child, recordsBefore, shortageStart, false);

            closeCleanly(served);
            assertFreshPairRelays(child, peers);
            closeCleanly(old);
            assertNothingLeft(child);
        } finally {
            closeAll(peers);
        }
    }

    /** Pairs relaying (spliced, where the mode splices) before the shortage, then idle. */
    private List<ScriptedPeer> openOldPairs(List<ScriptedPeer> peers) throws IOException {
        List<ScriptedPeer> old = new ArrayList<>();
        for (int i = 0; i < OLD_PAIRS; i++) {
            old.add(connect(child, peers));
        }
        relayByteExact(old, 10);
        // Quiet before the reserve: no descriptor may be in the middle of being opened.
        child.awaitConnections(OLD_PAIRS, PATIENCE);
        return old;
    }

    private static ScriptedPeer connect(ChildProxy child, List<ScriptedPeer> peers) throws IOException {
        ScriptedPeer peer = new ScriptedPeer(SocketChannel.open(child.address()));
        peers.add(peer);
        return peer;
    }

    /** Sends {@code ping} and reads up to its length back; a write the proxy already cut reads as the cut. */
    private static ScriptedPeer.Observed ping(ScriptedPeer client, byte[] ping, Duration timeout) throws IOException {
        try {
            client.send(ping, 0, ping.length, PATIENCE);
        } catch (IOException reset) {
            // The reset came before the write (ECONNRESET, EPIPE). The write took the socket's
            // error, so a read now would see a plain EOF: report the reset as the write saw it.
            return new ScriptedPeer.Observed(new byte[0], ScriptedPeer.End.RESET, System.nanoTime());
        }
        return client.readUpTo(ping.length, timeout);
    }

    /** Each pair sends {@link #OLD_PAIR_BYTES} random bytes through the echo, in chunks, checked byte for byte. */
    private static void relayByteExact(List<ScriptedPeer> pairs, long seed) throws IOException {
        int chunk = OLD_PAIR_CHUNK;
        for (int p = 0; p < pairs.size(); p++) {
            byte[] sent = Payload.bytes(seed * 100 + p, OLD_PAIR_BYTES);
            for (int from = 0; from < sent.length; from += chunk) {
                pairs.get(p).send(sent, from, from + chunk, PATIENCE);
                byte[] back = pairs.get(p).readExactly(chunk, PATIENCE);
                assertArrayEquals(Arrays.copyOfRange(sent, from, from + chunk), back,
                        "pair " + p + ", bytes " + from + "..: relayed byte for byte");
            }
        }
    }

    private static void assertRefused(ScriptedPeer.Observed seen, String who, ChildProxy child) {
        assertEquals(ScriptedPeer.End.RESET, seen.end(), who + ": refused with a reset, not " + seen.end()
                + " after " + seen.bytes().length + " bytes\n" + child.logText());
        assertEquals(0, seen.bytes().length, who + ": nothing comes back from an upstream never connected");
    }

    /** Idle through the window while out of descriptors: alive, and far from a busy loop. */
    private static void assertQuietWhileOutOfDescriptors(ChildProxy child) throws IOException, InterruptedException {
        Usage before = Usage.of(child);
        TimeUnit.NANOSECONDS.sleep(WINDOW.toNanos());
        assertNoSpin(child, before);
    }

    /** Alive, and wanting a CPU for a small share of the window since {@code before}. */
    private static void assertNoSpin(ChildProxy child, Usage before) throws IOException {
        assertTrue(child.isAlive(), "the proxy died while out of descriptors:\n" + child.logText());
        Usage after = Usage.of(child);
        long windowNanos = after.nanoTime() - before.nanoTime();
        double runnable = (double) ChildProxy.runnableBetween(before.runnable(), after.runnable()).toNanos() / windowNanos;
        double cpu = (double) after.cpu().minus(before.cpu()).toNanos() / windowNanos;
        assertTrue(runnable < MAX_RUNNABLE_SHARE, String.format("the proxy wanted a CPU %.0f%% of %d ms while out of"
                + " descriptors (it got %.0f%%): it spins%n%s", runnable * 100, windowNanos / 1_000_000, cpu * 100,
                child.logText()));
    }

    /** The child's runnable and CPU time at one moment. */
    private record Usage(long nanoTime, Map<Long, Long> runnable, Duration cpu) {
        static Usage of(ChildProxy child) throws IOException {
            return new Usage(System.nanoTime(), child.runnableNanos(), child.cpuTime());
        }
    }

    /**
     * At most one record per second of shortage, plus one (the first failure logs at once); at
     * accept, at least the one record saying so.
     */
    private static void assertLogsAtMostOncePerSecond(ChildProxy child, int recordsBefore, long shortageStart,
            boolean acceptFailed) throws IOException {
        double seconds = (System.nanoTime() - shortageStart) / 1e9;
        List<String> records = child.logRecords();
        List<String> during = records.subList(recordsBefore, records.size());
        assertTrue(during.size() <= 1 + (int) seconds, during.size() + " log records in " + seconds + " s of shortage:\n"
                + child.logText());
        if (acceptFailed) {
            assertTrue(during.stream().anyMatch(r -> r.contains("Accepting on")),
                    "the failed accepts are reported:\n" + child.logText());
        }
    }

    /** A new connection relays a larger random payload byte for byte, then ends cleanly. */
    private static void assertFreshPairRelays(ChildProxy child, List<ScriptedPeer> peers) throws IOException {
        ScriptedPeer fresh = connect(child, peers);
        byte[] sent = Payload.bytes(13, FRESH_PAIR_BYTES);
        int chunk = 32 * 1024;
        for (int from = 0; from < sent.length; from += chunk) {
            fresh.send(sent, from, from + chunk, PATIENCE);
            assertArrayEquals(Arrays.copyOfRange(sent, from, from + chunk), fresh.readExactly(chunk, PATIENCE),
                    "a new connection after the shortage, bytes " + from + "..");
        }
        closeCleanly(List.of(fresh));
    }

    /** Half-closes each pair and expects the echo's clean EOF after nothing more. */
    private static void closeCleanly(List<ScriptedPeer> pairs) throws IOException {
        for (ScriptedPeer pair : pairs) {
            pair.shutdownOutput();
            ScriptedPeer.Observed rest = pair.readToEnd(PATIENCE);
            assertEquals(ScriptedPeer.End.EOF, rest.end(), "a clean end");
            assertEquals(0, rest.bytes().length);
            pair.close();
        }
    }

    private static void assertNothingLeft(ChildProxy child) throws IOException {
        child.awaitConnections(0, PATIENCE);
        assertEquals(0, child.leaks(), "leaked buffers:\n" + child.logText());
        assertTrue(child.isAlive());
    }

    private static void closeAll(List<ScriptedPeer> peers) {
        for (ScriptedPeer peer : peers) {
            try {
                peer.close();
            } catch (IOException e) {
                // Closing after the test; the test's verdict stands.
            }
        }
    }

    /** Whether the child's accepted count goes past {@code accepted} within {@code patience}, polled. */
    private static boolean acceptedWithin(ChildProxy child, long accepted, Duration patience)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            if (child.stats()[1] > accepted) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }
}
