package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.ChildProxy;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.ScriptedPeer;
import dev.zeroproxy.testkit.TransportAssumptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A splice pipe that cannot be made: the proxy (epoll, SPLICE or AUTO, in a child JVM) is left
 * descriptors for a new pair's two sockets but not for the pipe its first spliced read needs
 * ({@code pipe2} fails with a real {@code EMFILE}). That pair must end cut on both sides, each
 * reading a reset after nothing but bytes really sent by the other, never a clean EOF that
 * would pass a truncated stream off as complete; it must leave no channel, pipe or buffer
 * behind; and the proxy must go on relaying its other pairs, and new ones once descriptors are
 * back, byte for byte.
 *
 * <p>Either pipe of the pair can be the one that fails: the first (client to upstream), or the
 * second (upstream to client) once the first was made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SplicePipeExhaustionTest {
    /** AUTO copies this much per direction before it splices. */
    private static final long THRESHOLD = 16 * 1024;
    private static final int VICTIM_BYTES = 256 * 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Forwarding.SPLICE, false),
                Arguments.of(Forwarding.SPLICE, true),
                Arguments.of(Forwarding.AUTO, false),
                Arguments.of(Forwarding.AUTO, true));
    }

    @ParameterizedTest(name = "{0}, second pipe fails: {1}")
    @MethodSource("cases")
    void aPairWithoutItsPipeIsResetBothWaysAndTheProxyServesTheOthers(Forwarding mode, boolean secondPipe)
            throws Exception {
        TransportAssumptions.assumeAvailable(Transport.named("epoll"));
        try (ServerSocketChannel upstream = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ChildProxy child = ChildProxy.start("epoll", mode, THRESHOLD,
                     (InetSocketAddress) upstream.getLocalAddress())) {
            upstream.configureBlocking(false);
            // A first pair through both pipes, ended: everything a splice needs is loaded.
            try (Pair warm = Pair.open(child, upstream)) {
                warm.exchange(1, 128 * 1024);
                warm.closeCleanly();
            }
            child.awaitConnections(0, PATIENCE);
            int basePipes = child.openPipes();

            try (Pair other = Pair.open(child, upstream)) {
                other.exchange(2, 128 * 1024);
                assertEquals(basePipes + 4, child.openPipes(), "the other pair splices through its own two pipes");
                child.awaitConnections(1, PATIENCE);
                // Room for the next pair's two sockets, and for its first pipe if the second is to fail.
                child.reserveAllBut(secondPipe ? 4 : 2);

                try (Pair victim = Pair.open(child, upstream)) {
                    if (secondPipe) {
                        assertSecondPipeFailureCutsThePair(victim);
                    } else {
                        assertFirstPipeFailureCutsThePair(victim, mode);
                    }
                }
                child.awaitConnections(1, PATIENCE);
                assertEquals(basePipes + 4, child.openPipes(), "the cut pair left no pipe open");

                // Still short of descriptors: the pair that has its pipes relays on, byte for byte.
                other.exchange(3, 128 * 1024);
                child.release();
                try (Pair fresh = Pair.open(child, upstream)) {
                    fresh.exchange(4, VICTIM_BYTES);
                    fresh.closeCleanly();
                }
                other.closeCleanly();
            }
            child.awaitConnections(0, PATIENCE);
            assertEquals(basePipes, child.openPipes(), "every pipe closed with its pair");
            assertEquals(0, child.leaks(), "leaked buffers:\n" + child.logText());
            assertTrue(child.isAlive());
        }
    }

    /**
     * The client's first bytes find no pipe: the upstream reads a reset after at most what AUTO
     * copied before its switch (nothing, with SPLICE), and so does the client, after nothing.
     */
    private static void assertFirstPipeFailureCutsThePair(Pair victim, Forwarding mode) throws IOException {
        byte[] sent = Payload.bytes(5, VICTIM_BYTES);
        boolean clientSawReset = sendUntilCut(victim.client, sent);
        ScriptedPeer.Observed atUpstream = victim.upstream.readToEnd(PATIENCE);
        assertEquals(ScriptedPeer.End.RESET, atUpstream.end(), "the upstream is told the stream was cut, after "
                + atUpstream.bytes().length + " bytes");
        assertArrayEquals(Arrays.copyOf(sent, atUpstream.bytes().length), atUpstream.bytes(),
                "what reached the upstream is what the client sent");
        if (mode == Forwarding.SPLICE) {
            assertEquals(0, atUpstream.bytes().length, "nothing could be spliced");
        }
        assertCut(victim.client, clientSawReset, null, "the client");
    }

    /**
     * The client's direction has its pipe and relays; the upstream's answer finds none: the
     * client reads at most what AUTO copied before its switch, then a reset, and the upstream a reset.
     */
    private static void assertSecondPipeFailureCutsThePair(Pair victim) throws IOException {
        byte[] request = Payload.bytes(6, 64 * 1024);
        victim.client.send(request, 0, request.length, PATIENCE);
        assertArrayEquals(request, victim.upstream.readExactly(request.length, PATIENCE),
                "the direction that has its pipe relays byte for byte");
        byte[] answer = Payload.bytes(7, VICTIM_BYTES);
        boolean upstreamSawReset = sendUntilCut(victim.upstream, answer);
        assertCut(victim.client, false, answer, "the client");
        assertCut(victim.upstream, upstreamSawReset, null, "the upstream");
    }

    /** Sends until done or cut; true if a write itself saw the reset. */
    private static boolean sendUntilCut(ScriptedPeer peer, byte[] bytes) {
        try {
            peer.sendUntilStalled(bytes, 0, bytes.length, Duration.ofSeconds(1));
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /**
     * {@code peer} reads a reset, after a prefix of {@code sentToIt} (nothing if null). A write
     * that saw the reset took the socket's error, and a read after it sees a plain EOF; so then
     * only the bytes are checked.
     */
    private static void assertCut(ScriptedPeer peer, boolean writeSawReset, byte[] sentToIt, String who)
            throws IOException {
        ScriptedPeer.Observed seen = peer.readToEnd(PATIENCE);
        if (!writeSawReset) {
            assertEquals(ScriptedPeer.End.RESET, seen.end(), who + " is told the stream was cut, after "
                    + seen.bytes().length + " bytes");
        } else {
            assertTrue(seen.end() != ScriptedPeer.End.TIMEOUT, who + " was cut");
        }
        byte[] expected = sentToIt == null ? new byte[0] : Arrays.copyOf(sentToIt, seen.bytes().length);
        assertArrayEquals(expected, seen.bytes(), who + " read only what was really sent to it");
    }

    /** A client through the proxy and the upstream connection the proxy made for it, both driven by the test. */
    private static final class Pair implements AutoCloseable {
        final ScriptedPeer client;
        final ScriptedPeer upstream;

        private Pair(ScriptedPeer client, ScriptedPeer upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        static Pair open(ChildProxy child, ServerSocketChannel listener) throws IOException {
            ScriptedPeer client = new ScriptedPeer(SocketChannel.open(child.address()));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            SocketChannel accepted;
            while ((accepted = listener.accept()) == null) {
                if (System.nanoTime() - deadline > 0) {
                    client.close();
                    throw new AssertionError("the proxy did not connect to the upstream:\n" + child.logText());
                }
                sleepMillis(5);
            }
            return new Pair(client, new ScriptedPeer(accepted));
        }

        /** {@code bytes} random bytes each way, in turns of 16 KiB, each checked byte for byte. */
        void exchange(long seed, int bytes) throws IOException {
            byte[] up = Payload.bytes(seed, bytes);
            byte[] down = Payload.bytes(~seed, bytes);
            int chunk = 16 * 1024;
            for (int from = 0; from < bytes; from += chunk) {
                client.send(up, from, from + chunk, PATIENCE);
                assertArrayEquals(Arrays.copyOfRange(up, from, from + chunk), upstream.readExactly(chunk, PATIENCE),
                        "client to upstream, bytes " + from + "..");
                upstream.send(down, from, from + chunk, PATIENCE);
                assertArrayEquals(Arrays.copyOfRange(down, from, from + chunk), client.readExactly(chunk, PATIENCE),
                        "upstream to client, bytes " + from + "..");
            }
        }

        /** Each side half-closes in turn; each reads a clean EOF after nothing more. */
        void closeCleanly() throws IOException {
            client.shutdownOutput();
            ScriptedPeer.Observed atUpstream = upstream.readToEnd(PATIENCE);
            assertEquals(ScriptedPeer.End.EOF, atUpstream.end());
            assertEquals(0, atUpstream.bytes().length);
            upstream.shutdownOutput();
            ScriptedPeer.Observed atClient = client.readToEnd(PATIENCE);
            assertEquals(ScriptedPeer.End.EOF, atClient.end());
            assertEquals(0, atClient.bytes().length);
        }

        @Override
        public void close() throws IOException {
            try {
                client.close();
            } finally {
                upstream.close();
            }
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
