package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.testkit.TaggedServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The forwarder in front of three servers, as the "done when" asks: {@code forward
 * --upstream A --upstream B --upstream C --balance leastconn --check} keeps serving a bulk and an
 * interactive session while one of the three servers is stopped and started again, and new
 * connections go around the stopped one meanwhile. A real process, real sockets on 127.0.0.1.
 */
@Timeout(90)
class ForwarderUpstreamGroupTest {
    private static final int BULK_BYTES = 64 << 20;
    private final List<TaggedServer> servers = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        for (TaggedServer server : servers) {
            server.close();
        }
    }

    @Test
    void keepsServingABulkAndAnInteractiveSessionWhileOneOfThreeServersStopsAndStartsAgain() throws Exception {
        for (int i = 0; i < 3; i++) {
            servers.add(TaggedServer.start('a' + i));
        }
        try (ForwarderProcess forwarder = ForwarderProcess.start("forward", "--listen", "127.0.0.1:0",
                "--upstream", address(0), "--upstream", address(1), "--upstream", address(2),
                "--balance", "leastconn", "--check=200ms", "--event-loops", "2")) {
            InetSocketAddress proxy = forwarder.awaitReady(Duration.ofSeconds(30));
            Socket interactive = connect(proxy);
            int interactiveTag = interactive.getInputStream().read();
            Socket bulk = connect(proxy);
            int bulkTag = bulk.getInputStream().read();
            assertNotEquals(interactiveTag, bulkTag, "leastconn puts the second session on another server");
            TaggedServer idle = servers.stream().filter(s -> s.tag() != interactiveTag && s.tag() != bulkTag)
                    .findFirst().orElseThrow();

            CompletableFuture<byte[]> bulkEcho = CompletableFuture.supplyAsync(() -> readFully(bulk, BULK_BYTES));
            byte[] bulkSent = Payload.bytes(21, BULK_BYTES);
            CompletableFuture<Void> bulkWrite = CompletableFuture.runAsync(() -> writeSlowly(bulk, bulkSent));

            int roundTrips = 0;
            roundTrips += pingPong(interactive, 10);
            idle.stopListening();
            forwarder.awaitLine("UP -> DOWN", Duration.ofSeconds(10));
            Set<Integer> tagsWhileDown = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                tagsWhileDown.add(transfer(proxy, i));
                roundTrips += pingPong(interactive, 2);
            }
            assertTrue(!tagsWhileDown.contains(idle.tag()), "no new connection to the stopped server: " + names(tagsWhileDown));

            idle.startListening();
            forwarder.awaitLine("DOWN -> UP", Duration.ofSeconds(10));
            roundTrips += pingPong(interactive, 10);
            // leastconn: the restarted server holds nothing, so the next connection goes to it.
            assertEquals(idle.tag(), transfer(proxy, 100), "the restarted server serves again");

            bulkWrite.get(60, TimeUnit.SECONDS);
            bulk.shutdownOutput();
            assertArrayEquals(bulkSent, bulkEcho.get(60, TimeUnit.SECONDS), "the bulk session, byte for byte");
            assertEquals(-1, bulk.getInputStream().read(), "a clean end of the bulk session");
            assertEquals(10 + 6 * 2 + 10, roundTrips, "every interactive round trip answered");
            assertTrue(forwarder.isAlive(), forwarder.log());
        }
    }

    private String address(int server) {
        return "127.0.0.1:" + servers.get(server).address().getPort();
    }

    private Socket connect(InetSocketAddress proxy) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.setTcpNoDelay(true);
        socket.connect(proxy, 5_000);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** {@code count} round trips of 64 random bytes, each checked. */
    private static int pingPong(Socket socket, int count) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            byte[] ping = Payload.bytes(1000 + i, 64);
            socket.getOutputStream().write(ping);
            assertArrayEquals(ping, socket.getInputStream().readNBytes(64), "interactive round trip " + i);
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return count;
    }

    /** A new connection: 4 KiB each way, checked; returns the tag of the server it reached. */
    private int transfer(InetSocketAddress proxy, int seed) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy, 5_000);
            socket.setSoTimeout(20_000);
            byte[] sent = Payload.bytes(seed, 4096);
            socket.getOutputStream().write(sent);
            InputStream in = socket.getInputStream();
            int tag = in.read();
            assertArrayEquals(sent, in.readNBytes(sent.length), "transfer " + seed);
            socket.shutdownOutput();
            assertEquals(-1, in.read());
            return tag;
        }
    }

    /** Writes in 64 KiB chunks, a little at a time, so that the session spans the whole test. */
    private static void writeSlowly(Socket socket, byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            int chunk = 64 * 1024;
            for (int from = 0; from < bytes.length; from += chunk) {
                out.write(bytes, from, Math.min(chunk, bytes.length - from));
                if ((from / chunk) % 64 == 0) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("bulk write failed", e);
        }
    }

    private static byte[] readFully(Socket socket, int length) {
        try {
            return socket.getInputStream().readNBytes(length);
        } catch (IOException e) {
            throw new IllegalStateException("bulk read failed", e);
        }
    }

    /** For readers: the tags are the servers' single-byte names. */
    private static String names(Set<Integer> tags) {
        return Arrays.toString(tags.stream().map(t -> (char) t.intValue()).toArray());
    }
}
