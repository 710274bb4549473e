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
 * JMH auxiliary counters for {@link ConnectionSetupBenchmark}: the CPU time the path's own
 * threads (see {@link RunningPath#threadNamePrefix()}) spent per connection, in microseconds.
 *
 * <ul>
 *   <li>{@code proxyCpuUsPerConn}: user + system, exact (the threads' CPU clocks): the figure
 *       to compare.</li>
 *   <li>{@code proxyUserCpuUsPerConn}, {@code proxySysCpuUsPerConn}: its split, read in
 *       scheduler ticks (see {@link ThreadCpuMeter}), so a few percent less precise.</li>
 * </ul>
 *
 * <p>For {@code direct} all are 0. The CPU of the benchmark thread and of the echo servers is
 * never included. How it measures, and why each iteration reports only its share of the figure:
 * see {@link IterationCpu}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ConnectionCpuCounters {
    private final IterationCpu cpu = new IterationCpu();
    private long connections;

    /** Samples the path's threads as the iteration starts. */
    @Setup(Level.Iteration)
    public void startIteration(ConnectionSetupBenchmark benchmark, BenchmarkParams params,
            IterationParams iteration, ThreadParams thread) {
        cpu.start(benchmark.running, params, iteration, thread);
        connections = 0;
    }

    /** Samples the path's threads as the iteration ends, before any trial teardown stops them. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        cpu.end();
    }

    /** Counts one connection made and closed. */
    void connected() {
        connections++;
    }

    /** User + system CPU µs per connection (times this iteration's share, see {@link IterationCpu}). */
    public double proxyCpuUsPerConn() {
        return cpu.totalMicrosPer(connections);
    }

    /** User CPU µs per connection (times this iteration's share). */
    public double proxyUserCpuUsPerConn() {
        return cpu.userMicrosPer(connections);
    }

    /** System CPU µs per connection (times this iteration's share). */
    public double proxySysCpuUsPerConn() {
        return cpu.systemMicrosPer(connections);
    }
}
