package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionHandle;
import dev.zeroproxy.ConnectionSnapshot;
import dev.zeroproxy.ConnectionState;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Termination;
import dev.zeroproxy.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Proxy#connections()} and what a {@link ConnectionHandle} does to a live connection,
 * written once and run for every transport × forwarding mode: a snapshot's figures, pause
 * (nothing more is read either way, the senders are held by backpressure) and resume (the
 * stream goes on byte-exact), reset (both ends see a reset), close (both ends get what was
 * read, then EOF), and a rate limit changed while bytes flow. The upstream is accepted by the
 * test itself, so that it can write and read at will.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ConnectionHandleSuite {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /**
     * Several times what the socket buffers of both hops hold, so that a paused sender must block.
     * The buffers are set small, the proxy's too (autotuned, they grow to several MiB each on
     * loopback, and a test would have to move that much more).
     */
    private static final int BULK = 8 << 20;
    /** Each socket's buffers, the test's and the proxy's (the kernel doubles it on loopback). */
    private static final int TEST_SOCKET_BUFFER = 128 * 1024;
    /** How long the counts must stay put for a paused connection to be called stopped. */
    private static final long STILL_MILLIS = 300;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private ServerSocket upstreamListener;
    private Proxy proxy;
    private RecordingListener events;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    @BeforeEach
    void start() throws IOException {
        TransportAssumptions.assumeAvailable(transport());
        upstreamListener = new ServerSocket();
        upstreamListener.setReceiveBufferSize(TEST_SOCKET_BUFFER);
        upstreamListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        toClose.add(upstreamListener);
        events = new RecordingListener();
        proxy = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream((InetSocketAddress) upstreamListener.getLocalSocketAddress())
                .transport(transport())
                .forwarding(forwarding())
                .eventLoops(2)
                .drainTimeout(Duration.ZERO)
                .listener(events)
                .socketOption(TcpOption.SO_RCVBUF, TEST_SOCKET_BUFFER)
                .socketOption(TcpOption.SO_SNDBUF, TEST_SOCKET_BUFFER)
                .start();
    }

    @AfterEach
    void closeEverything() throws Exception {
        writers.shutdownNow();
        try {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
            Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                    PATIENCE, () -> "no proxy channel left open; stats " + proxy.stats());
            assertTrue(proxy.connections().isEmpty(), "no handle listed once every connection closed");
        } finally {
            proxy.close();
        }
    }

    /** A client through the proxy, and the upstream end of its connection. */
    private Socket[] connectPair() throws IOException {
        Socket client = new Socket();
        toClose.add(client);
        client.setReceiveBufferSize(TEST_SOCKET_BUFFER);
        client.setSendBufferSize(TEST_SOCKET_BUFFER);
        client.connect(proxy.localAddress(), 5_000);
        client.setSoTimeout((int) PATIENCE.toMillis());
        upstreamListener.setSoTimeout((int) PATIENCE.toMillis());
        Socket upstream = upstreamListener.accept();
        toClose.add(upstream);
        upstream.setSendBufferSize(TEST_SOCKET_BUFFER);
        upstream.setSoTimeout((int) PATIENCE.toMillis());
        return new Socket[] {client, upstream};
    }

    private ConnectionHandle onlyHandle() {
        List<ConnectionHandle> open = proxy.connections();
        assertEquals(1, open.size(), "one connection listed: " + open);
        return open.get(0);
    }

    private static ConnectionSnapshot snapshot(ConnectionHandle handle) {
        return handle.snapshot().toCompletableFuture().join();
    }

    /** Waits until the handle's connection is through its set-up (the upstream connected). */
    private static ConnectionSnapshot awaitForwarding(ConnectionHandle handle) {
        Await.until(() -> snapshot(handle).state() == ConnectionState.FORWARDING, PATIENCE,
                () -> "connection forwarding: " + snapshot(handle));
        return snapshot(handle);
    }

    @Test
    void aSnapshotGivesTheBytesEachWayTheStateAndTheKernelFiguresWhereTheTransportReadsThem() throws Exception {
        long before = System.nanoTime();
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        assertEquals(pair[0].getLocalPort(), handle.info().client().getPort(), "the client's address");
        byte[] request = Payload.bytes(1, 1000);
        byte[] response = Payload.bytes(2, 70_000);
        pair[0].getOutputStream().write(request);
        pair[1].getOutputStream().write(response);
        assertArrayEquals(request, pair[1].getInputStream().readNBytes(request.length));
        assertArrayEquals(response, pair[0].getInputStream().readNBytes(response.length));

        ConnectionSnapshot s = awaitForwarding(handle);
        assertEquals(request.length, s.bytesFromClient());
        assertEquals(response.length, s.bytesFromUpstream());
        assertEquals(upstreamListener.getLocalPort(), s.connection().upstream().getPort());
        assertFalse(s.paused());
        assertEquals(0, s.rateLimit());
        assertTrue(s.age().toNanos() <= System.nanoTime() - before, "its age counts from the accept: " + s.age());
        assertTrue(!handle.openedAt().isAfter(java.time.Instant.now()), "opened in the past: " + handle.openedAt());
        assertEquals(handle.info().client(), proxy.connection(handle.id()).orElseThrow().info().client(), "found by its id");
        if (transport().name().equals("epoll")) {
            assertTrue(s.clientTcp().isPresent() && s.upstreamTcp().isPresent(), "TCP_INFO on epoll: " + s);
            assertTrue(s.clientTcp().get().sendMss() > 0, "a live socket has an MSS: " + s.clientTcp());
        } else {
            assertTrue(s.clientTcp().isEmpty(), transport().name() + " does not read TCP_INFO");
        }

        pair[0].shutdownOutput();
        assertEquals(-1, pair[1].getInputStream().read());
        Await.until(() -> snapshot(handle).state() == ConnectionState.HALF_CLOSED, PATIENCE,
                () -> "half-closed once the client's FIN went through: " + snapshot(handle));
        pair[1].shutdownOutput();
        assertEquals(-1, pair[0].getInputStream().read());
        events.awaitClosed(1, PATIENCE.toSeconds());
        CompletionException ended = assertThrows(CompletionException.class, () -> snapshot(handle));
        assertInstanceOf(IllegalStateException.class, ended.getCause(), "no snapshot of an ended connection");
        handle.pause(); // Nothing happens to an ended connection, and nothing throws.
        assertEquals(Termination.COMPLETED, events.of("closed").get(0).summary().termination());
    }

    @Test
    void pauseStopsTheBytesBothWaysAndResumeContinuesThemByteExact() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        awaitForwarding(handle);
        // Under way first, so that the pause lands mid-stream (mid-splice where the mode splices).
        Future<?> download = writers.submit(() -> Payload.write(pair[1].getOutputStream(), 11, BULK, 64 * 1024));
        Future<?> upload = writers.submit(() -> Payload.write(pair[0].getOutputStream(), 12, BULK, 64 * 1024));
        InputStream clientIn = pair[0].getInputStream();
        InputStream upstreamIn = pair[1].getInputStream();
        Payload.ByteSource expectedDown = new Payload.ByteSource(11);
        Payload.ByteSource expectedUp = new Payload.ByteSource(12);
        long down = readAndCheck(clientIn, expectedDown, 256 * 1024);
        long up = readAndCheck(upstreamIn, expectedUp, 256 * 1024);

        handle.pause();
        Await.until(() -> snapshot(handle).paused(), PATIENCE, () -> "paused");
        // What was read before the pause is still delivered; then nothing moves. Drain both ends
        // while watching the proxy's counts stay put.
        long[] counts = {-1, -1};
        long stillSince = System.nanoTime();
        pair[0].setSoTimeout(50);
        pair[1].setSoTimeout(50);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() - stillSince < TimeUnit.MILLISECONDS.toNanos(STILL_MILLIS)) {
            assertTrue(System.nanoTime() < deadline, "the counts never stood still while paused: " + snapshot(handle));
            down += drainAvailable(clientIn, expectedDown);
            up += drainAvailable(upstreamIn, expectedUp);
            ConnectionSnapshot s = snapshot(handle);
            if (s.bytesFromClient() != counts[0] || s.bytesFromUpstream() != counts[1]) {
                counts[0] = s.bytesFromClient();
                counts[1] = s.bytesFromUpstream();
                stillSince = System.nanoTime();
            }
        }
        assertFalse(download.isDone() || upload.isDone(),
                "both senders are held back while paused: " + snapshot(handle) + ", read " + down + " down, " + up + " up");
        assertTrue(counts[0] < BULK && counts[1] < BULK, "neither stream got through while paused: " + snapshot(handle));

        handle.resume();
        pair[0].setSoTimeout((int) PATIENCE.toMillis());
        pair[1].setSoTimeout((int) PATIENCE.toMillis());
        readAndCheck(clientIn, expectedDown, BULK - down);
        readAndCheck(upstreamIn, expectedUp, BULK - up);
        download.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        upload.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        ConnectionSnapshot after = snapshot(handle);
        assertFalse(after.paused());
        assertEquals(BULK, after.bytesFromClient());
        assertEquals(BULK, after.bytesFromUpstream());
    }

    @Test
    void aConnectionPausedBeforeItsFirstByteReadsNothingUntilResumed() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        awaitForwarding(handle);
        handle.pause();
        Await.until(() -> snapshot(handle).paused(), PATIENCE, () -> "paused");
        Future<?> download = writers.submit(() -> Payload.write(pair[1].getOutputStream(), 21, BULK, 64 * 1024));
        TimeUnit.MILLISECONDS.sleep(STILL_MILLIS);
        assertEquals(0, snapshot(handle).bytesFromUpstream(), "nothing read while paused");
        assertFalse(download.isDone(), "the sender is held back");
        handle.resume();
        readAndCheck(pair[0].getInputStream(), new Payload.ByteSource(21), BULK);
        download.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void resetGivesBothEndsAResetAfterWhatWasAlreadyRead() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        byte[] request = Payload.bytes(3, 5000);
        pair[0].getOutputStream().write(request);
        assertArrayEquals(request, pair[1].getInputStream().readNBytes(request.length));

        handle.reset();
        assertEquals("reset", endOf(pair[0].getInputStream()), "the client reads a reset, not EOF");
        assertEquals("reset", endOf(pair[1].getInputStream()), "the upstream reads a reset, not EOF");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(Termination.RESET_BY_OPERATOR, events.of("closed").get(0).summary().termination());
    }

    @Test
    void closeDeliversWhatWasReadThenEndsBothSidesWithEof() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        awaitForwarding(handle);
        byte[] request = Payload.bytes(4, 3000);
        byte[] response = Payload.bytes(5, 4000);
        pair[0].getOutputStream().write(request);
        pair[1].getOutputStream().write(response);
        Await.until(() -> {
            ConnectionSnapshot s = snapshot(handle);
            return s.bytesFromClient() == request.length && s.bytesFromUpstream() == response.length;
        }, PATIENCE, () -> "both read by the proxy: " + snapshot(handle));

        handle.close();
        assertArrayEquals(request, pair[1].getInputStream().readAllBytes(), "the request, then EOF");
        assertArrayEquals(response, pair[0].getInputStream().readAllBytes(), "the response, then EOF");
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertEquals(Termination.CLOSED_BY_OPERATOR, events.of("closed").get(0).summary().termination());
    }

    @Test
    void closeWithAPeerThatDoesNotReadEndsInAResetAtItsDeadline() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        awaitForwarding(handle);
        // The client reads nothing, so what the proxy holds for it can never all be written.
        Future<?> download = writers.submit(() -> Payload.write(pair[1].getOutputStream(), 41, BULK, 64 * 1024));
        // Until the proxy stops reading: the client's kernel buffers and the proxy's socket are
        // full, and bytes wait in the proxy's own queue, which only a reading client could drain.
        long[] last = {-1};
        Await.until(() -> {
            long now = snapshot(handle).bytesFromUpstream();
            boolean still = now > 0 && now == last[0];
            last[0] = now;
            if (!still) {
                sleepQuietly(STILL_MILLIS);
            }
            return still;
        }, PATIENCE, () -> "the proxy held back by the client: " + snapshot(handle));
        long closed = System.nanoTime();
        handle.close(Duration.ofMillis(300));
        events.awaitClosed(1, PATIENCE.toSeconds());
        assertTrue(System.nanoTime() - closed >= TimeUnit.MILLISECONDS.toNanos(300) - TimeUnit.MILLISECONDS.toNanos(10),
                "not cut before its deadline");
        assertEquals(Termination.RESET_BY_OPERATOR, events.of("closed").get(0).summary().termination());
        assertEquals(dev.zeroproxy.ProxyClosedConnectionException.Reason.CLOSE_DEADLINE,
                ((dev.zeroproxy.ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
        assertEquals("reset", endOf(pair[0].getInputStream()), "the client that read nothing ends with a reset, not EOF");
        assertThrows(java.util.concurrent.ExecutionException.class, () -> download.get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                "the upstream's writes fail: its connection was reset");
    }

    @Test
    void aRateLimitSlowsTheStreamAndLiftingItWhileItRunsLetsTheRestThrough() throws Exception {
        Socket[] pair = connectPair();
        ConnectionHandle handle = onlyHandle();
        awaitForwarding(handle);
        assertThrows(InvalidSettingException.class, () -> handle.rateLimit(-1));
        long limit = 1 << 20;
        handle.rateLimit(limit);
        Await.until(() -> snapshot(handle).rateLimit() == limit, PATIENCE, () -> "limit in force");
        int total = 4 << 20;
        Future<?> download = writers.submit(() -> Payload.write(pair[1].getOutputStream(), 31, total, 64 * 1024));
        InputStream clientIn = pair[0].getInputStream();
        Payload.ByteSource expected = new Payload.ByteSource(31);
        long started = System.nanoTime();
        int limitedPart = 1 << 20;
        readAndCheck(clientIn, expected, limitedPart);
        long tookNanos = System.nanoTime() - started;
        // The bucket starts full (100 ms of the rate); the rest of the megabyte cannot come faster
        // than the rate allows. A slow machine only makes it slower.
        long floorNanos = (long) ((limitedPart - limit / 10.0 - 64 * 1024) * 1e9 / limit);
        assertTrue(tookNanos >= floorNanos, "1 MiB at 1 MiB/s took only " + tookNanos / 1_000_000 + " ms");

        handle.rateLimit(0);
        readAndCheck(clientIn, expected, total - limitedPart);
        download.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, snapshot(handle).rateLimit());
    }

    @Test
    void oneConnectionAmongAHundredIsPausedResumedAndResetWhileTheOthersGoOn() throws Exception {
        int count = 100;
        List<Socket[]> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pairs.add(connectPair());
        }
        List<ConnectionHandle> handles = proxy.connections();
        assertEquals(count, handles.size());
        for (int i = 1; i < count; i++) {
            assertTrue(handles.get(i - 1).id() < handles.get(i).id(), "in accept order");
        }
        int chosen = 57;
        Socket[] target = pairs.get(chosen);
        ConnectionHandle handle = handles.stream()
                .filter(h -> h.info().client().getPort() == target[0].getLocalPort()).findFirst().orElseThrow();
        awaitForwarding(handle);

        handle.pause();
        Await.until(() -> snapshot(handle).paused(), PATIENCE, () -> "paused");
        byte[] ping = Payload.bytes(6, 100);
        target[0].getOutputStream().write(ping);
        for (int i = 0; i < count; i++) {
            if (i != chosen) {
                exchange(pairs.get(i), i);
            }
        }
        target[1].setSoTimeout((int) STILL_MILLIS);
        assertThrows(SocketTimeoutException.class, () -> target[1].getInputStream().read(),
                "the paused connection carries nothing while the 99 others exchange");
        target[1].setSoTimeout((int) PATIENCE.toMillis());

        handle.resume();
        assertArrayEquals(ping, target[1].getInputStream().readNBytes(ping.length), "resumed: the bytes come");
        exchange(target, chosen);

        handle.reset();
        assertEquals("reset", endOf(target[0].getInputStream()));
        assertEquals("reset", endOf(target[1].getInputStream()));
        for (int i = 0; i < count; i++) {
            if (i != chosen) {
                exchange(pairs.get(i), 1000 + i);
            }
        }
        Await.until(() -> proxy.connections().size() == count - 1, PATIENCE,
                () -> "the reset one leaves the list: " + proxy.connections().size());
    }

    private static void sleepQuietly(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request one way and an answer the other, checked. */
    private static void exchange(Socket[] pair, int seed) throws IOException {
        byte[] request = Payload.bytes(seed, 64);
        byte[] response = Payload.bytes(seed + 100_000, 64);
        pair[0].getOutputStream().write(request);
        assertArrayEquals(request, pair[1].getInputStream().readNBytes(request.length));
        pair[1].getOutputStream().write(response);
        assertArrayEquals(response, pair[0].getInputStream().readNBytes(response.length));
    }

    /** Reads exactly {@code length} bytes and checks them against the seeded stream. */
    private static long readAndCheck(InputStream in, Payload.ByteSource expected, long length) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] want = new byte[buf.length];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("EOF with " + left + " of " + length + " bytes still expected");
            }
            expected.fill(want, n);
            for (int i = 0; i < n; i++) {
                if (buf[i] != want[i]) {
                    throw new AssertionError("byte " + (length - left + i) + " differs");
                }
            }
            left -= n;
        }
        return length;
    }

    /** Reads what arrives within the socket's (short) timeout, checked; the count read. */
    private static long drainAvailable(InputStream in, Payload.ByteSource expected) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] want = new byte[buf.length];
        long read = 0;
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException nothingMore) {
                return read;
            }
            if (n < 0) {
                throw new IOException("EOF while paused");
            }
            expected.fill(want, n);
            for (int i = 0; i < n; i++) {
                if (buf[i] != want[i]) {
                    throw new AssertionError("a byte differs while draining a paused connection");
                }
            }
            read += n;
        }
    }

    /** Reads {@code in} to its end: "EOF", or "reset" when the read fails (ECONNRESET). */
    private static String endOf(InputStream in) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
            return "EOF";
        } catch (SocketTimeoutException timeout) {
            throw timeout;
        } catch (SocketException reset) {
            return "reset";
        }
    }
}
