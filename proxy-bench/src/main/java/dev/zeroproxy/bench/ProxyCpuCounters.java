package dev.zeroproxy.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * JMH auxiliary counters for {@link BulkTransferBenchmark}: the CPU time the path's own threads
 * (see {@link RunningPath#threadNamePrefix()}) spent per MiB of payload moved, in
 * microseconds, user and system separately.
 *
 * <ul>
 *   <li>{@code proxyUserCpuUsPerMiB}: user-space CPU µs per MiB: copying through the JVM,
 *       Netty's pipeline, the naive proxy's heap copies.</li>
 *   <li>{@code proxySysCpuUsPerMiB}: kernel CPU µs per MiB: the {@code read}/{@code write}/
 *       {@code splice}/{@code epoll_wait} system calls and the copies inside them. On loopback
 *       the kernel also runs the receiving side's TCP processing in the sender's context, so
 *       this includes some of the peers' receive work.</li>
 * </ul>
 *
 * <p>For {@code direct} both are 0: there is no proxy to spend any CPU. The CPU of the
 * benchmark thread and of the upstream sink is never included.
 *
 * <p>How it measures: one {@link ThreadCpuMeter} sample when the iteration starts and one
 * when it ends (in the iteration teardown, right after JMH's last operation), and the payload
 * bytes the operations carried in between. Nothing is sampled per operation, so even 16 KiB
 * operations are not slowed down; a sample costs tens of microseconds against 1-2 s iterations.
 *
 * <p>Why each iteration reports only its share: JMH adds up an {@code EVENTS} counter over all
 * measurement iterations and forks rather than averaging it, so each iteration reports its
 * ratio divided by their number, and the summary row is their mean. The per-iteration lines
 * JMH prints therefore show that share, not the ratio (multiply by the measurement iterations
 * times the forks to read one). With more than one benchmark thread the ratio is not defined here (each thread would see
 * the whole proxy's CPU against its own bytes), so the counters are NaN.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ProxyCpuCounters {
    private static final double MIB = 1024 * 1024;

    private ThreadCpuMeter meter;
    private ThreadCpuMeter.Sample start;
    private ThreadCpuMeter.Usage used;
    private long bytes;
    private double share;

    /** Samples the path's threads as the iteration starts. */
    @Setup(Level.Iteration)
    public void startIteration(BulkTransferBenchmark benchmark, BenchmarkParams params,
            IterationParams iteration, ThreadParams thread) {
        String prefix = benchmark.running.threadNamePrefix();
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
        bytes = 0;
    }

    /** Samples the path's threads as the iteration ends, before any trial teardown stops them. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        if (meter != null) {
            used = meter.sample().since(start);
        }
    }

    /** Counts the payload one operation carried. */
    void moved(long payloadBytes) {
        bytes += payloadBytes;
    }

    /** User CPU µs per MiB moved (times this iteration's share, see the class comment). */
    public double proxyUserCpuUsPerMiB() {
        return perMiB(used == null ? 0 : used.userNanos());
    }

    /** System CPU µs per MiB moved (times this iteration's share, see the class comment). */
    public double proxySysCpuUsPerMiB() {
        return perMiB(used == null ? 0 : used.systemNanos());
    }

    private double perMiB(long nanos) {
        if (bytes == 0) {
            return Double.NaN;
        }
        return nanos / 1_000.0 / (bytes / MIB) * share;
    }
}
