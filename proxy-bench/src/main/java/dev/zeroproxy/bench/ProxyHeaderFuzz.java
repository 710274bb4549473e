package dev.zeroproxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PROXY header fuzz command: runs {@link ProxyHeaderFuzzer} for a number of cases under
 * Netty's paranoid leak detection, prints progress every few seconds and a closing line.
 *
 * <pre>
 * java -cp proxy-bench/target/benchmarks.jar dev.zeroproxy.bench.ProxyHeaderFuzz --cases 1000000 --seed 1
 * </pre>
 *
 * <p>Options: {@code --cases N} (default 1,000,000), {@code --seed S} (default 1), {@code --from I}
 * (first case index, default 0: with {@code --cases 1} it replays one failed case),
 * {@code --max-seconds T} (stops early, default none), {@code --threads N} (default: the cores, at
 * most 4). Exits 0 when no case failed and no leak was
 * reported, 1 otherwise, 2 on bad arguments.
 */
public final class ProxyHeaderFuzz {
    private static final AtomicLong DETECTOR_LEAKS = new AtomicLong();
    private static final List<String> LEAK_REPORTS = new ArrayList<>();
    private static final int BATCH = 1000;

    private ProxyHeaderFuzz() { }

    /** Runs the command. */
    public static void main(String[] args) throws InterruptedException {
        long cases = 1_000_000;
        long seed = 1;
        long from = 0;
        long maxSeconds = Long.MAX_VALUE;
        int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--cases" -> cases = Long.parseLong(args[++i].replace("_", ""));
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--from" -> from = Long.parseLong(args[++i]);
                    case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (cases < 1 || from < 0 || maxSeconds < 1 || threads < 1) {
                throw new IllegalArgumentException(
                        "--cases, --threads and --max-seconds must be positive, --from not negative");
            }
        } catch (RuntimeException e) {
            System.err.println("ProxyHeaderFuzz: " + e.getMessage()
                    + " (usage: --cases N --seed S [--from I] [--max-seconds T])");
            System.exit(2);
            return;
        }
        installLeakDetection();

        System.out.printf("PROXY header fuzz: %,d cases from %d, seed %d, %d thread(s), leak detection %s%n", cases,
                from, seed, threads, ResourceLeakDetector.getLevel());
        long start = System.nanoTime();
        long deadline = maxSeconds == Long.MAX_VALUE ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(maxSeconds);
        long end = from + cases;
        AtomicLong nextBatch = new AtomicLong(from);
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<ProxyHeaderFuzzer> fuzzers = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            // Each thread its own fuzzer (and channels); every case still depends on (seed, index) only.
            ProxyHeaderFuzzer fuzzer = new ProxyHeaderFuzzer(seed);
            fuzzers.add(fuzzer);
            Thread worker = new Thread(() -> {
                long batch;
                while (!stop.get() && (batch = nextBatch.getAndAdd(BATCH)) < end) {
                    long batchEnd = Math.min(end, batch + BATCH);
                    fuzzer.run(batch, batchEnd);
                    done.addAndGet(batchEnd - batch);
                }
            }, "proxy-header-fuzz-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            while (worker.isAlive()) {
                worker.join(TimeUnit.SECONDS.toMillis(5));
                long now = System.nanoTime();
                if (worker.isAlive()) {
                    System.out.printf("  %,d cases, %,.0f cases/s, detector leaks %d%n", done.get(),
                            done.get() / seconds(now - start), DETECTOR_LEAKS.get());
                }
                if (now >= deadline && !stop.getAndSet(true)) {
                    System.out.println("  stopping at --max-seconds " + maxSeconds);
                }
            }
        }
        ProxyHeaderFuzzer.Totals totals = new ProxyHeaderFuzzer.Totals();
        fuzzers.forEach(f -> totals.add(f.totals()));
        double elapsed = seconds(System.nanoTime() - start);
        collectLeaks();
        long detectorLeaks = DETECTOR_LEAKS.get();
        long leaks = detectorLeaks + totals.unreleased();

        System.out.println("by kind: " + totals.byKind());
        totals.failures().forEach(f -> System.out.println("FAILED " + f));
        synchronized (LEAK_REPORTS) {
            LEAK_REPORTS.stream().limit(5).forEach(r -> System.out.println("LEAK " + r));
        }
        System.out.printf("cases=%d seconds=%.1f cases/s=%.0f accepted=%d refused=%d timeouts=%d closed-by-peer=%d"
                        + " crashes=%d leaks=%d (detector=%d unreleased=%d) hangs=%d failed-cases=%d lenient=%d%n",
                totals.cases(), elapsed, totals.cases() / elapsed,
                totals.outcome(ProxyHeaderFuzzer.Outcome.ACCEPTED), totals.outcome(ProxyHeaderFuzzer.Outcome.REFUSED),
                totals.outcome(ProxyHeaderFuzzer.Outcome.TIMED_OUT),
                totals.outcome(ProxyHeaderFuzzer.Outcome.CLOSED_BY_PEER), totals.crashes(), leaks, detectorLeaks,
                totals.unreleased(), totals.hangs(), totals.failedCases(), totals.lenient());
        System.exit(totals.failedCases() == 0 && leaks == 0 ? 0 : 1);
    }

    private static double seconds(long nanos) {
        return Math.max(1e-9, nanos / 1e9);
    }

    /**
     * Paranoid detection (unless {@code -Dio.netty.leakDetection.level} says otherwise) with every
     * report counted; installed before Netty creates any buffer or PROXY message, whose detectors
     * are made once per class.
     */
    private static void installLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "paranoid");
        }
        if (System.getProperty("io.netty.leakDetection.acquireAndReleaseOnly") == null) {
            // Every buffer is still tracked; only the access records kept for a leak report's
            // trace are fewer (a stack trace per read would make a million cases take half an hour).
            System.setProperty("io.netty.leakDetection.acquireAndReleaseOnly", "true");
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval, maxActive);
                detector.setLeakListener((type, records) -> {
                    DETECTOR_LEAKS.incrementAndGet();
                    synchronized (LEAK_REPORTS) {
                        if (LEAK_REPORTS.size() < 5) {
                            LEAK_REPORTS.add(type + ": " + records);
                        }
                    }
                });
                return detector;
            }
        });
    }

    /** Netty reports a leak once the leaked object is collected and a later one is tracked. */
    private static void collectLeaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 16; i++) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                buf.release();
                new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
                        null, null, 0, 0).release();
            }
        }
    }
}
