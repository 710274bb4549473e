package dev.zeroproxy.examples.forwarder;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads CPU time: of the threads whose names start with a prefix (the proxy's event loops are
 * {@code zeroproxy-*}), and of the whole process.
 *
 * <p>Per-thread times are taken as a snapshot of live threads, because a closed proxy's
 * threads are gone and their time with them: snapshot before closing. Thread-safe.
 */
final class CpuMeter {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final String threadPrefix;

    CpuMeter(String threadPrefix) {
        this.threadPrefix = threadPrefix;
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    /** Whether per-thread CPU time can be measured on this JVM. */
    boolean threadTimesSupported() {
        return threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    }

    /** Whether whole-process CPU time can be measured on this JVM. */
    boolean processTimeSupported() {
        return os instanceof com.sun.management.OperatingSystemMXBean;
    }

    /** CPU nanoseconds of each live thread named with the prefix, by thread id. */
    Map<Long, Long> snapshotThreads() {
        Map<Long, Long> times = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            // null: the thread ended between the two calls.
            if (info != null && info.getThreadName().startsWith(threadPrefix)) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    times.put(info.getThreadId(), nanos);
                }
            }
        }
        return times;
    }

    /** The CPU time the threads of {@code after} spent since {@code before}; a new thread counts from zero. */
    static long threadNanosBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    /** CPU nanoseconds of the whole process so far, or -1 when unsupported. */
    long processNanos() {
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
