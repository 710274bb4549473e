package dev.zeroproxy.bench;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Termination;
import dev.zeroproxy.micrometer.ProxyMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metrics listener costs per connection, without any socket: the events the proxy
 * reports for a connection that connects at the first attempt and closes cleanly
 * ({@code connectionOpened}, {@code upstreamConnected}, {@code connectionClosed}), heard by
 * {@link ProxyMetrics}' listener bound to a Prometheus registry, against a listener that does
 * nothing. {@link ConnectionSetupBenchmark} with {@code -p metrics=off,on} measures the same
 * whole, around 150 µs of proxy CPU per connection on the development VM, too noisily to
 * resolve a fraction of a microsecond: this resolves it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class MetricsListenerBenchmark {
    /** {@code off}: a listener that does nothing; {@code on}: the metrics listener. */
    @Param({"off", "on"})
    public String metrics;

    private ProxyListener listener;
    private ConnectionInfo opened;
    private ConnectionInfo connected;
    private ConnectionSummary summary;

    /** The listener, and one connection's events (reused: what they carry does not change the cost). */
    @Setup(Level.Trial)
    public void setUp() {
        if (metrics.equals("on")) {
            ProxyMetrics meters = new ProxyMetrics();
            meters.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            listener = meters.listener("web");
        } else if (metrics.equals("off")) {
            listener = ProxyListener.NOOP;
        } else {
            throw new IllegalArgumentException("metrics: " + metrics + " (expected: off or on)");
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        opened = new ConnectionInfo(1, new InetSocketAddress(loopback, 40_000), null);
        connected = opened.withUpstream(new InetSocketAddress(loopback, 5432), "app", "s1");
        summary = new ConnectionSummary(1024, 4096, 0, Duration.ofMillis(3), null, Termination.COMPLETED,
                Duration.ZERO, Duration.ofNanos(150_000), 0);
    }

    /** One connection's events. */
    @Benchmark
    public ConnectionSummary connection() {
        listener.connectionOpened(opened);
        listener.upstreamConnected(connected);
        listener.connectionClosed(connected, summary);
        return summary;
    }
}
