package dev.zeroproxy.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.testkit.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Known traffic through a proxy to an echo upstream: connections one after another, each
 * sending a seeded random payload of a random size, reading it back whole (checked byte for byte
 * by SHA-256), then ending cleanly both ways. Returns the payload bytes sent in all, which the
 * echo sends back as many.
 */
final class EchoTraffic {
    private EchoTraffic() { }

    /** Sends {@code connections} payloads of 1 to {@code maxBytes} bytes each through {@code proxy}. */
    static long exchange(InetSocketAddress proxy, int connections, int maxBytes, long seed)
            throws IOException, InterruptedException, ExecutionException {
        SplittableRandom sizes = new SplittableRandom(seed);
        ExecutorService writers = Executors.newSingleThreadExecutor();
        long total = 0;
        try {
            for (int i = 0; i < connections; i++) {
                long payloadSeed = seed + i;
                int length = 1 + sizes.nextInt(maxBytes);
                try (Socket socket = new Socket()) {
                    socket.connect(proxy, 5_000);
                    socket.setSoTimeout(10_000);
                    // Written on another thread: an echo sends back while we still write.
                    Future<String> sent = writers.submit(() -> {
                        String sha = Payload.write(socket.getOutputStream(), payloadSeed, length, 16 * 1024);
                        socket.shutdownOutput();
                        return sha;
                    });
                    InputStream in = socket.getInputStream();
                    String echoed = Payload.readExactly(in, length);
                    assertEquals(-1, in.read(), "the echo ends after the payload");
                    assertEquals(sent.get(), echoed, "connection " + i + ": the echo returns every byte");
                }
                total += length;
            }
        } finally {
            writers.shutdownNow();
        }
        return total;
    }
}
