package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy {@code web} on 127.0.0.1 in front of a group {@code app} of two echoing servers
 * {@code s1} and {@code s2} (round robin), with an admin server; every server counts the bytes
 * it received, so a test knows what each one's row must say. Closes all of it.
 */
final class AdminFixture implements AutoCloseable {
    /** One echoing server that counts what it was sent and the connections it took. */
    static final class CountingEcho implements AutoCloseable {
        final AtomicLong received = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final LoopbackServer server;

        CountingEcho() throws IOException {
            server = LoopbackServer.start(socket -> {
                accepted.incrementAndGet();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    received.addAndGet(n);
                    socket.getOutputStream().write(buf, 0, n);
                }
                socket.shutdownOutput();
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    final CountingEcho s1 = new CountingEcho();
    final CountingEcho s2 = new CountingEcho();
    final ServerTraffic traffic = new ServerTraffic();
    /** One permit per connection closed, as the proxy reports it. */
    final Semaphore closed = new Semaphore(0);
    final Proxy proxy;
    final AdminServer admin;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();

    AdminFixture() throws IOException {
        this(true);
    }

    AdminFixture(boolean withMetrics) throws IOException {
        UpstreamGroup group = UpstreamGroup.builder("app").balance(Balance.ROUND_ROBIN)
                .server("s1", s1.server.address()).server("s2", s2.server.address()).build();
        ProxyListener counting = new ProxyListener() {
            @Override
            public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
                closed.release();
            }
        };
        proxy = Proxy.builder().listen(new InetSocketAddress("127.0.0.1", 0)).upstream(group).eventLoops(2)
                .listener(ProxyListener.all(traffic, counting)).start();
        AdminServer.Builder builder = AdminServer.builder(StatsSource.of("web", proxy))
                .address(new InetSocketAddress("127.0.0.1", 0)).traffic(traffic);
        if (withMetrics) {
            builder.metrics(() -> "# TYPE zeroproxy_test_total counter\nzeroproxy_test_total 1.0\n");
        }
        admin = builder.start();
    }

    /** The admin server's URI for {@code path}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + path);
    }

    /** GET {@code path}; the body as text. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * One connection through the proxy: {@code size} random bytes sent, the echo checked byte for
     * byte, then a clean end both ways.
     */
    void exchange(long seed, int size) throws IOException {
        try (Socket socket = open(seed, size)) {
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "a clean end after the echo");
        }
    }

    /** {@link #exchange(long, int)} through {@code target}, a proxy of another fixture. */
    static void exchange(InetSocketAddress target, long seed, int size) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, 5_000);
            socket.setSoTimeout(15_000);
            byte[] sent = Payload.bytes(seed, size);
            socket.getOutputStream().write(sent);
            assertArrayEquals(sent, socket.getInputStream().readNBytes(size), "the echo of connection " + seed);
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "a clean end after the echo");
        }
    }

    /** A connection left open after {@code size} random bytes went through and came back, checked. */
    Socket open(long seed, int size) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(proxy.localAddress(), 5_000);
        socket.setSoTimeout(15_000);
        byte[] sent = Payload.bytes(seed, size);
        socket.getOutputStream().write(sent);
        assertArrayEquals(sent, socket.getInputStream().readNBytes(size), "the echo of connection " + seed);
        return socket;
    }

    /** Waits until the proxy has reported {@code count} more connections closed. */
    void awaitClosed(int count) throws InterruptedException {
        assertTrue(closed.tryAcquire(count, 15, TimeUnit.SECONDS), "the proxy reports " + count + " closes");
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        admin.close();
        proxy.close();
        s1.close();
        s2.close();
    }
}
