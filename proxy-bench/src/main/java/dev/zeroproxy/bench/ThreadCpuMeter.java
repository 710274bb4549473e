package dev.zeroproxy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * Measures the CPU time of the threads whose names start with a prefix, such as the proxy's
 * {@code zeroproxy-} event loops, with {@link ThreadMXBean}: total (user + system) from
 * {@link ThreadMXBean#getThreadCpuTime(long)} and user from
 * {@link ThreadMXBean#getThreadUserTime(long)}; system is their difference.
 *
 * <p>Precision, on Linux HotSpot: the total is exact to the nanosecond (the thread's CPU clock),
 * but user time is read from {@code /proc} in scheduler ticks (10 ms at the usual 100 Hz), so the
 * user/system split of an interval is uncertain by a tick per thread, and can even come out
 * slightly negative for a tiny interval. Over 1-2 s iterations that is a percent or two.
 *
 * <p>Cost: a {@link #sample()} lists every thread of the JVM and reads two clocks per matching
 * thread, tens of microseconds; it is meant for iteration boundaries, not for every operation.
 *
 * <p>Threads are matched by name at every sample, so a thread that starts between two samples
 * is counted from its start. A thread that ends between two samples takes its CPU time with it;
 * the proxies measured here keep their threads for the whole trial. Thread-safe.
 */
final class ThreadCpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String prefix;

    private ThreadCpuMeter(String prefix) {
        this.prefix = prefix;
    }

    /**
     * A meter of the threads named {@code prefix*}.
     *
     * @throws UnsupportedOperationException if this JVM cannot measure other threads' CPU time
     */
    static ThreadCpuMeter ofThreadsNamed(String prefix) {
        if (!THREADS.isThreadCpuTimeSupported()) {
            throw new UnsupportedOperationException("this JVM cannot measure thread CPU time");
        }
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        return new ThreadCpuMeter(prefix);
    }

    /** The CPU time of every matching live thread, now. */
    Sample sample() {
        long[] ids = THREADS.getAllThreadIds();
        // Depth 0, no stack traces: HotSpot then reads the names without stopping the world.
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        Map<Long, long[]> times = new HashMap<>();
        for (ThreadInfo info : infos) {
            if (info == null || !info.getThreadName().startsWith(prefix)) {
                continue; // null: ended since getAllThreadIds
            }
            long id = info.getThreadId();
            // User first, total second: the total then covers at least the user time read.
            long user = THREADS.getThreadUserTime(id);
            long total = THREADS.getThreadCpuTime(id);
            if (user >= 0 && total >= 0) { // -1: ended meanwhile
                times.put(id, new long[] {total, user});
            }
        }
        return new Sample(times);
    }

    /** Per-thread CPU times at one moment, to subtract from a later one. */
    static final class Sample {
        private final Map<Long, long[]> times;

        private Sample(Map<Long, long[]> times) {
            this.times = times;
        }

        /** The number of matching threads found. */
        int threads() {
            return times.size();
        }

        /** The CPU time the matching threads used from {@code earlier} to this sample. */
        Usage since(Sample earlier) {
            long total = 0;
            long user = 0;
            for (Map.Entry<Long, long[]> thread : times.entrySet()) {
                long[] before = earlier.times.getOrDefault(thread.getKey(), new long[2]);
                total += thread.getValue()[0] - before[0];
                user += thread.getValue()[1] - before[1];
            }
            return new Usage(total, user);
        }
    }

    /**
     * CPU time used over an interval.
     *
     * @param totalNanos user + system time
     * @param userNanos user time (tick-grained, see the class comment)
     */
    record Usage(long totalNanos, long userNanos) {
        /** System (kernel) time: total minus user. */
        long systemNanos() {
            return totalNanos - userNanos;
        }
    }
}
