package dev.zeroproxy.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The CPU time a path's own threads (see {@link RunningPath#threadNamePrefix()}) spent over one
 * JMH iteration, shared by the auxiliary counters {@link ProxyCpuCounters} (per MiB) and
 * {@link ConnectionCpuCounters} (per connection): one {@link ThreadCpuMeter} sample when the
 * iteration starts, one when it ends, nothing per operation.
 *
 * <p>The figures are scaled by the iteration's share: JMH adds up an {@code EVENTS} counter over
 * all measurement iterations and forks rather than averaging it, so each iteration reports its
 * ratio divided by their number, and the summary row is their mean (JMH's per-iteration lines
 * therefore show that share; multiply by the measurement iterations times the forks to read
 * one). With more than one benchmark thread the ratio is not defined (each thread would see the
 * whole proxy's CPU against its own operations), so every figure is NaN. A path without threads
 * of its own ({@code direct}) used 0.
 */
final class IterationCpu {
    private ThreadCpuMeter meter;
    private ThreadCpuMeter.Sample start;
    private ThreadCpuMeter.Usage used;
    private double share;

    /** Samples the path's threads as an iteration starts. */
    void start(RunningPath running, BenchmarkParams params, IterationParams iteration, ThreadParams thread) {
        String prefix = running.threadNamePrefix();
        if (thread.getThreadCount() != 1) {
            share = Double.NaN;
        } else if (iteration.getType() == IterationType.MEASUREMENT) {
            share = 1.0 / (iteration.getCount() * Math.max(1, params.getForks()));
        } else {
            share = 1.0; // warmup results are not summed (JMH does not even print their counters)
        }
        meter = prefix == null ? null : ThreadCpuMeter.ofThreadsNamed(prefix);
        start = meter == null ? null : meter.sample();
        used = null;
    }

    /** Samples the path's threads as the iteration ends, before any trial teardown stops them. */
    void end() {
        if (meter != null) {
            used = meter.sample().since(start);
        }
    }

    /** User CPU µs per unit of work (times the share); NaN for no work. */
    double userMicrosPer(double units) {
        return per(used == null ? 0 : used.userNanos(), units);
    }

    /** System CPU µs per unit of work (times the share); NaN for no work. */
    double systemMicrosPer(double units) {
        return per(used == null ? 0 : used.systemNanos(), units);
    }

    /** User + system CPU µs per unit of work (times the share); NaN for no work. Exact, unlike the split. */
    double totalMicrosPer(double units) {
        return per(used == null ? 0 : used.totalNanos(), units);
    }

    private double per(long nanos, double units) {
        if (units == 0) {
            return Double.NaN;
        }
        return nanos / 1_000.0 / units * share;
    }
}
