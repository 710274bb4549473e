package dev.zeroproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ThreadCpuMeterTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long BURN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Test
    @Timeout(30)
    void countsTheCpuOfThreadsWithThePrefixOnly() throws InterruptedException {
        ThreadCpuMeter meter = ThreadCpuMeter.ofThreadsNamed("meter-test-burner-");
        ThreadCpuMeter.Sample before = meter.sample();
        CountDownLatch burned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread matching = new Thread(() -> burnThenWait(burned, release), "meter-test-burner-1");
        Thread other = new Thread(() -> burnThenWait(new CountDownLatch(1), release), "meter-test-other-1");
        matching.start();
        other.start();
        try {
            assertTrue(burned.await(20, TimeUnit.SECONDS), "the burner did not get its CPU time");
            // Sampled while the burner is still alive: a thread that ended takes its CPU time with it.
            ThreadCpuMeter.Sample after = meter.sample();

            ThreadCpuMeter.Usage used = after.since(before);
            assertEquals(1, after.threads());
            assertTrue(used.totalNanos() >= BURN_NANOS, "total " + used.totalNanos());
            // The other burner runs alongside on another core: had it been counted, far more.
            assertTrue(used.totalNanos() < BURN_NANOS + TimeUnit.MILLISECONDS.toNanos(30), "total " + used.totalNanos());
            assertTrue(used.userNanos() > 0, "user " + used.userNanos());
        } finally {
            release.countDown();
            matching.join(10_000);
            other.join(10_000);
        }
    }

    /**
     * A guard, and the number the README quotes: two samples are taken per iteration, so one must
     * cost far less than an iteration lasts.
     */
    @Test
    @Timeout(30)
    void aSampleCostsMicrosecondsNotMilliseconds() {
        ThreadCpuMeter meter = ThreadCpuMeter.ofThreadsNamed("main");
        for (int i = 0; i < 200; i++) {
            meter.sample(); // warm-up
        }
        int samples = 1_000;
        long start = System.nanoTime();
        for (int i = 0; i < samples; i++) {
            meter.sample();
        }
        long perSampleNanos = (System.nanoTime() - start) / samples;
        System.out.printf("ThreadCpuMeter.sample(): %.1f us with %d live threads%n",
                perSampleNanos / 1_000.0, THREADS.getThreadCount());
        assertTrue(perSampleNanos < TimeUnit.MILLISECONDS.toNanos(5), perSampleNanos + " ns per sample");
    }

    /** Spins until this thread has used {@link #BURN_NANOS} of CPU (at most 10 s), then waits. */
    private static void burnThenWait(CountDownLatch burned, CountDownLatch release) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long sink = 0;
        while (THREADS.getCurrentThreadCpuTime() < BURN_NANOS && System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                sink += i * 31L ^ sink;
            }
        }
        burned.countDown();
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sink == 42) {
            System.out.print(""); // keeps the spin loop from being optimized away
        }
    }
}
