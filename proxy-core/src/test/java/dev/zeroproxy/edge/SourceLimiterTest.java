package dev.zeroproxy.edge;

import static dev.zeroproxy.edge.ConnectionRefusal.Reason.TOO_FAST_FROM_SOURCE;
import static dev.zeroproxy.edge.ConnectionRefusal.Reason.TOO_MANY_FROM_SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SourceLimiterTest {
    private final FakeClock clock = new FakeClock();

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private SourceLimiter limiter(int maxConnections, int perSecond) {
        return limiter(maxConnections, perSecond, SourceLimits.DEFAULT_MAX_TRACKED_SOURCES);
    }

    private SourceLimiter limiter(int maxConnections, int perSecond, int maxTracked) {
        return new SourceLimiter(SourceLimits.builder()
                .maxConnectionsPerSource(maxConnections)
                .maxNewConnectionsPerSecondPerSource(perSecond)
                .maxTrackedSources(maxTracked)
                .build(), clock);
    }

    @Test
    void concurrencyLimitRefusesPastTheLimitUntilOneIsReleased() {
        SourceLimiter limiter = limiter(3, 0);
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertNull(limiter.admit(a));
        }
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(a));
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(a));
        assertEquals(3, limiter.active(a), "a refusal is not counted as held");
        assertNull(limiter.admit(ip("192.0.2.2")), "another source has its own limit");
        limiter.released(a);
        assertNull(limiter.admit(a));
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(a));
    }

    @Test
    void rateLimitAllowsABurstOfTheRateThenRefillsContinuously() {
        SourceLimiter limiter = limiter(0, 5);
        InetAddress a = ip("2001:db8::1");
        for (int i = 0; i < 5; i++) {
            assertNull(limiter.admit(a), "burst " + i);
        }
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a));
        clock.advance(Duration.ofMillis(199));
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a), "not yet one token back");
        clock.advance(Duration.ofMillis(1));
        assertNull(limiter.admit(a), "one token every 1/5 s");
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a));
        clock.advance(Duration.ofMillis(600));
        for (int i = 0; i < 3; i++) {
            assertNull(limiter.admit(a), "three tokens after 0.6 s, " + i);
        }
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a));
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            assertNull(limiter.admit(a), "the bucket holds no more than the burst, " + i);
        }
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a));
    }

    @Test
    void refusedAttemptsTakeNoToken() {
        SourceLimiter limiter = limiter(1, 2);
        InetAddress a = ip("192.0.2.9");
        assertNull(limiter.admit(a));
        for (int i = 0; i < 10; i++) {
            assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(a));
        }
        limiter.released(a);
        assertNull(limiter.admit(a), "the second token of the burst is still there");
        limiter.released(a);
        assertEquals(TOO_FAST_FROM_SOURCE, limiter.admit(a));
    }

    @Test
    void mapIsEmptyOnceEveryConnectionClosesWithoutARateLimit() {
        SourceLimiter limiter = limiter(10, 0);
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            sources.add(ip("192.0.2." + i));
            sources.add(ip("2001:db8::" + Integer.toHexString(i)));
        }
        for (InetAddress source : sources) {
            assertNull(limiter.admit(source));
            assertNull(limiter.admit(source));
        }
        assertEquals(100, limiter.trackedSources());
        for (InetAddress source : sources) {
            limiter.released(source);
            limiter.released(source);
        }
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void mapIsEmptyOnceEveryConnectionClosesAndBucketsRefill() {
        SourceLimiter limiter = limiter(10, 4);
        for (int i = 1; i <= 20; i++) {
            InetAddress source = ip("198.51.100." + i);
            assertNull(limiter.admit(source));
            limiter.released(source);
        }
        assertEquals(20, limiter.trackedSources(), "kept while the bucket refills, or a rate limit could be reset");
        assertEquals(TOO_FAST_FROM_SOURCE, burst(limiter, ip("198.51.100.1"), 4));
        clock.advance(Duration.ofMillis(250));
        limiter.sweep(clock.getAsLong());
        assertEquals(1, limiter.trackedSources(), "only the one still refilling");
        clock.advance(Duration.ofSeconds(1));
        limiter.sweep(clock.getAsLong());
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void admitSweepsIdleSourcesAboutOnceASecond() {
        SourceLimiter limiter = limiter(0, 100);
        for (int i = 1; i <= 30; i++) {
            InetAddress source = ip("203.0.113." + i);
            assertNull(limiter.admit(source));
            limiter.released(source);
        }
        assertEquals(30, limiter.trackedSources());
        clock.advance(Duration.ofMillis(1001));
        assertNull(limiter.admit(ip("203.0.113.200")));
        assertEquals(1, limiter.trackedSources(), "the idle ones swept by this admit");
    }

    @Test
    void releaseOfAFullBucketSourceForgetsItAtOnce() {
        SourceLimiter limiter = limiter(0, 10);
        InetAddress a = ip("192.0.2.50");
        assertNull(limiter.admit(a));
        clock.advance(Duration.ofMillis(100));
        limiter.released(a);
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void pastTheCapNewSourcesAreAdmittedUntracked() {
        SourceLimiter limiter = limiter(1, 0, 2);
        assertNull(limiter.admit(ip("192.0.2.1")));
        assertNull(limiter.admit(ip("192.0.2.2")));
        InetAddress third = ip("192.0.2.3");
        assertNull(limiter.admit(third));
        assertNull(limiter.admit(third), "untracked: not limited");
        assertEquals(2, limiter.trackedSources());
        assertEquals(2, limiter.untrackedAdmissions());
        limiter.released(third);
        limiter.released(third);
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(ip("192.0.2.1")), "tracked ones still limited");
        limiter.released(ip("192.0.2.1"));
        assertNull(limiter.admit(third), "tracked again once there is room");
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(third));
    }

    @Test
    void releaseNeverTakesACountBelowZero() {
        SourceLimiter limiter = limiter(1, 0);
        InetAddress a = ip("192.0.2.1");
        limiter.released(a);
        assertNull(limiter.admit(a));
        limiter.released(a);
        limiter.released(a);
        assertEquals(0, limiter.active(a));
        assertNull(limiter.admit(a));
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(a));
    }

    @Test
    void mappedAndPlainIpv4AreOneSource() throws Exception {
        SourceLimiter limiter = limiter(1, 0);
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xFF;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) 192;
        bytes[14] = 2;
        bytes[15] = 1;
        InetAddress mapped = Inet6Address.getByAddress(null, bytes, -1);
        assertNull(limiter.admit(ip("192.0.2.1")));
        assertEquals(TOO_MANY_FROM_SOURCE, limiter.admit(mapped));
        limiter.released(mapped);
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    @Timeout(60)
    void concurrentAdmitsAndReleasesNeverExceedTheLimitNorGoNegative() throws Exception {
        hammer(limiter(4, 0), 4);
    }

    @Test
    @Timeout(60)
    void concurrentAdmitsAndReleasesWithARateLimitAndSweepsKeepCountsExact() throws Exception {
        SourceLimiter limiter = limiter(4, 1000);
        Thread ticker = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                clock.advance(Duration.ofMillis(1));
                Thread.onSpinWait();
            }
        });
        ticker.start();
        try {
            hammer(limiter, 4);
        } finally {
            ticker.interrupt();
            ticker.join();
        }
        clock.advance(Duration.ofSeconds(2));
        limiter.sweep(clock.getAsLong());
        assertEquals(0, limiter.trackedSources());
    }

    private void hammer(SourceLimiter limiter, int limit) throws Exception {
        InetAddress[] sources = {ip("192.0.2.1"), ip("192.0.2.2"), ip("2001:db8::1")};
        AtomicIntegerArray held = new AtomicIntegerArray(sources.length);
        AtomicInteger violations = new AtomicInteger();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                admitted.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    int[] mine = new int[sources.length];
                    int count = 0;
                    start.await();
                    for (int i = 0; i < 200_000; i++) {
                        int s = random.nextInt(sources.length);
                        if (mine[s] > 0 && random.nextBoolean()) {
                            mine[s]--;
                            if (held.decrementAndGet(s) < 0) {
                                violations.incrementAndGet();
                            }
                            limiter.released(sources[s]);
                        } else if (limiter.admit(sources[s]) == null) {
                            mine[s]++;
                            count++;
                            if (held.incrementAndGet(s) > limit) {
                                violations.incrementAndGet();
                            }
                        }
                        int counted = limiter.active(sources[s]);
                        if (counted < 0 || counted > limit) {
                            violations.incrementAndGet();
                        }
                    }
                    for (int s = 0; s < sources.length; s++) {
                        while (mine[s]-- > 0) {
                            held.decrementAndGet(s);
                            limiter.released(sources[s]);
                        }
                    }
                    return count;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get();
            }
            assertTrue(total > 1000, "enough admissions to mean something: " + total);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(0, violations.get());
        for (InetAddress source : sources) {
            assertEquals(0, limiter.active(source));
        }
        clock.advance(Duration.ofSeconds(2));
        limiter.sweep(clock.getAsLong());
        assertEquals(0, limiter.trackedSources(), "all closed and refilled: nothing tracked");
    }

    private static ConnectionRefusal.Reason burst(SourceLimiter limiter, InetAddress source, int attempts) {
        ConnectionRefusal.Reason last = null;
        for (int i = 0; i < attempts; i++) {
            last = limiter.admit(source);
            if (last == null) {
                limiter.released(source);
            }
        }
        return last;
    }
}
