package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures one row of the demo: a warm-up transfer, then the measured one, through a fresh
 * proxy on 127.0.0.1 (or straight to the upstream, for the baseline), each checked byte count
 * and checksum against what was sent.
 *
 * <p>Every row is bounded by {@link #ROW_TIMEOUT}: the transfer runs on a client thread that
 * is interrupted at the deadline, which closes its socket. Not thread-safe: the demo runs one
 * row at a time, which is also what keeps the CPU figures of different rows apart.
 */
final class RowRunner implements AutoCloseable {
    /** The longest one row (warm-up and measurement) may take before it fails. */
    static final Duration ROW_TIMEOUT = Duration.ofSeconds(120);
    /** Event-loop threads are named with this prefix by the proxy engine. */
    static final String PROXY_THREAD_PREFIX = "zeroproxy-";

    private static final long PROGRESS_EVERY_MILLIS = 250;
    private static final long MIB = 1024 * 1024;

    private final LoopbackSink sink;
    private final Payload payload;
    private final ProgressLine progress;
    private final long volume;
    private final long warmup;
    /** Bytes per connection; 0: the whole transfer on one connection. */
    private final long perConnection;
    private final CpuMeter cpu = new CpuMeter(PROXY_THREAD_PREFIX);
    private final ExecutorService client = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "demo-client");
        thread.setDaemon(true);
        return thread;
    });

    RowRunner(LoopbackSink sink, Payload payload, ProgressLine progress, long volume, long warmup,
            long perConnection) {
        this.perConnection = perConnection;
        this.sink = sink;
        this.payload = payload;
        this.progress = progress;
        this.volume = volume;
        this.warmup = warmup;
    }

    /** The baseline: the client straight to the upstream, no proxy. */
    DemoRow direct(String step, String label) {
        long deadline = System.nanoTime() + ROW_TIMEOUT.toNanos();
        try {
            return measure(step, label, "-", sink.address(), null, deadline);
        } catch (RowFailedException e) {
            return DemoRow.failed(label, "-", e.getMessage());
        }
    }

    /** The client through a proxy of {@code transport} forwarding in {@code mode}. */
    DemoRow proxied(String step, Transport transport, Forwarding mode) {
        String modeLabel = mode.name().toLowerCase(Locale.ROOT);
        long deadline = System.nanoTime() + ROW_TIMEOUT.toNanos();
        Proxy proxy;
        try {
            proxy = Proxy.builder()
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .upstream(sink.address())
                    .transport(transport)
                    .forwarding(mode)
                    // One connection lives on one loop anyway; one loop keeps idle threads out of the sample.
                    .eventLoops(1)
                    // A row that failed must not hold the demo for the default 30 s.
                    .drainTimeout(Duration.ofSeconds(2))
                    .start();
        } catch (RuntimeException e) {
            return DemoRow.failed(transport.name(), modeLabel, "proxy did not start: " + e.getMessage());
        }
        try {
            return measure(step, transport.name(), modeLabel, proxy.localAddress(), proxy, deadline);
        } catch (RowFailedException e) {
            return DemoRow.failed(transport.name(), modeLabel, e.getMessage());
        } finally {
            proxy.close();
        }
    }

    private DemoRow measure(String step, String transportLabel, String modeLabel, InetSocketAddress target,
            Proxy proxy, long deadline) throws RowFailedException {
        if (warmup > 0) {
            transfer(step, "warm-up", target, warmup, deadline);
        }
        // Computed now, so that the checksum of the expected bytes costs nothing inside the timing.
        payload.checksum(volume);
        Map<Long, Long> threadsBefore = cpu.snapshotThreads();
        ProxyStats statsBefore = proxy == null ? null : proxy.stats();
        long processBefore = cpu.processNanos();
        long start = System.nanoTime();

        transfer(step, "measuring", target, volume, deadline);

        long nanos = System.nanoTime() - start;
        long processAfter = cpu.processNanos();
        // Before the caller closes the proxy: its threads, and their CPU times, end with it.
        Map<Long, Long> threadsAfter = cpu.snapshotThreads();
        ProxyStats statsAfter = proxy == null ? null : proxy.stats();

        long proxyCpu = proxy != null && cpu.threadTimesSupported()
                ? CpuMeter.threadNanosBetween(threadsBefore, threadsAfter) : -1;
        long processCpu = processBefore >= 0 ? processAfter - processBefore : -1;
        return new DemoRow(transportLabel, modeLabel, volume, nanos, proxyCpu, processCpu,
                splicedFraction(statsBefore, statsAfter), null);
    }

    private static double splicedFraction(ProxyStats before, ProxyStats after) {
        if (before == null) {
            return -1;
        }
        long forwarded = after.bytesForwarded() - before.bytesForwarded();
        return forwarded == 0 ? 0 : (double) (after.bytesSpliced() - before.bytesSpliced()) / forwarded;
    }

    /**
     * Sends {@code length} bytes to {@code target}, on one connection or on connections of
     * {@link #perConnection} bytes each, and checks the upstream got exactly them each time.
     */
    private void transfer(String step, String what, InetSocketAddress target, long length, long deadline)
            throws RowFailedException {
        long chunk = perConnection == 0 ? length : perConnection;
        for (long done = 0; done < length; done += chunk) {
            transferOne(step, what, target, Math.min(chunk, length - done), deadline);
        }
    }

    private void transferOne(String step, String what, InetSocketAddress target, long length, long deadline)
            throws RowFailedException {
        long expectedChecksum = payload.checksum(length);
        AtomicLong sent = new AtomicLong();
        if (length >= MIB) {
            progress.update(step + ": " + what + " 0/" + length / MIB + " MiB");
        }
        Future<BulkSender.Answer> task = client.submit(() -> BulkSender.send(target, payload, length, sent));
        BulkSender.Answer answer = null;
        try {
            while (answer == null) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    // Interrupting the sender closes its socket, which unblocks it.
                    task.cancel(true);
                    throw new RowFailedException("timed out after " + ROW_TIMEOUT.toSeconds() + " s, " + what
                            + " with " + sent.get() / MIB + " of " + length / MIB + " MiB sent");
                }
                try {
                    answer = task.get(Math.min(PROGRESS_EVERY_MILLIS, TimeUnit.NANOSECONDS.toMillis(leftNanos) + 1),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    progress.update(step + ": " + what + " " + sent.get() / MIB + "/" + length / MIB + " MiB");
                }
            }
        } catch (ExecutionException e) {
            throw new RowFailedException(what + " failed after " + sent.get() + " of " + length + " bytes sent: "
                    + e.getCause());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new RowFailedException("interrupted while " + what);
        }
        if (answer.bytes() != length) {
            throw new RowFailedException(what + ": the upstream received " + answer.bytes() + " bytes, "
                    + length + " were sent");
        }
        if (answer.checksum() != expectedChecksum) {
            throw new RowFailedException(what + ": the upstream received " + length + " bytes but altered"
                    + " (CRC32C " + Long.toHexString(answer.checksum()) + ", expected "
                    + Long.toHexString(expectedChecksum) + ")");
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    /** Why a row could not be measured; its message goes into the table. */
    private static final class RowFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        RowFailedException(String message) {
            super(message);
        }
    }
}
