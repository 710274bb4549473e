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
 * <p>How it measures, and why each iteration reports only its share of the figure: see
 * {@link IterationCpu}. Nothing is sampled per operation, so even 16 KiB operations are not
 * slowed down; a sample costs tens of microseconds against 1-2 s iterations.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ProxyCpuCounters {
    private static final double MIB = 1024 * 1024;

    private final IterationCpu cpu = new IterationCpu();
    private long bytes;

    /** Samples the path's threads as the iteration starts. */
    @Setup(Level.Iteration)
    public void startIteration(BulkTransferBenchmark benchmark, BenchmarkParams params,
            IterationParams iteration, ThreadParams thread) {
        cpu.start(benchmark.running, params, iteration, thread);
        bytes = 0;
    }

    /** Samples the path's threads as the iteration ends, before any trial teardown stops them. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        cpu.end();
    }

    /** Counts the payload one operation carried. */
    void moved(long payloadBytes) {
        bytes += payloadBytes;
    }

    /** User CPU µs per MiB moved (times this iteration's share, see {@link IterationCpu}). */
    public double proxyUserCpuUsPerMiB() {
        return cpu.userMicrosPer(bytes / MIB);
    }

    /** System CPU µs per MiB moved (times this iteration's share, see {@link IterationCpu}). */
    public double proxySysCpuUsPerMiB() {
        return cpu.systemMicrosPer(bytes / MIB);
    }
}
