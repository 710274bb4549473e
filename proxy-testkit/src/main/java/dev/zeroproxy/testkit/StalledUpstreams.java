package dev.zeroproxy.testkit;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.internal.ProxyServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Upstream peers for a proxy whose buffers are to fill up: each connection's first byte is its
 * tag; a connection tagged {@link #READING} reads everything at once, the others read nothing
 * more until {@link #release()}. Each then reads to EOF, and what it got (length and digest) is
 * the future of its tag, for the test to compare with what its client sent.
 */
public final class StalledUpstreams implements LoopbackServer.Handler {
    /** The tag of a connection whose upstream reads all along. */
    public static final int READING = 255;

    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<Integer, CompletableFuture<Payload.Received>> received = new ConcurrentHashMap<>();

    @Override
    public void handle(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        int tag = in.read();
        if (tag < 0) {
            throw new IllegalStateException("connection ended before its tag");
        }
        if (tag != READING && !release.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
        }
        received(tag).complete(Payload.readToEof(in, 64 * 1024));
    }

    /** Lets every stalled upstream read. */
    public void release() {
        release.countDown();
    }

    /** What the upstream of the connection tagged {@code tag} read after the tag, once at EOF. */
    public CompletableFuture<Payload.Received> received(int tag) {
        return received.computeIfAbsent(tag, t -> new CompletableFuture<>());
    }

    /** The most bytes queued, unsent, on {@code proxy}'s channels over {@code window}, from their own outbound buffers. */
    public static long mostQueuedOver(Proxy proxy, Duration window) throws InterruptedException {
        long most = 0;
        long ends = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < ends) {
            // Sampling a gauge over a fixed window, not waiting for a condition.
            long queued = 0;
            for (Channel channel : ((ProxyServer) proxy).connectionChannels()) {
                ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
                queued += pending == null ? 0 : pending.totalPendingWriteBytes();
            }
            most = Math.max(most, queued);
            Thread.sleep(10);
        }
        return most;
    }

    /**
     * Sends {@code tag}, then {@code length} random bytes, then EOF, on another thread;
     * completes with their digest.
     */
    public static CompletableFuture<String> sendTaggedAsync(Socket client, int tag, long seed, long length) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                client.getOutputStream().write(tag);
                String digest = Payload.write(client.getOutputStream(), seed, length, 64 * 1024);
                client.shutdownOutput();
                return digest;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "test-sender-" + tag);
            t.setDaemon(true);
            t.start();
        });
    }
}
