package dev.zeroproxy.bench;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
 * What the upstream itself costs per connection, without any socket: the calls the proxy makes
 * on its {@link Upstream} and the {@link UpstreamLease} it gets, in the order it makes them for
 * a connection that connects at the first attempt and later closes ({@code select}, the lease's
 * {@code address}, {@code connected}, {@code released}). For {@code single} that is
 * {@code Upstream.of}'s fixed lease; for the groups the balancer's pick, the server's state and
 * slot, and the bookkeeping of connected and released (see {@link UpstreamShape}).
 *
 * <p>The difference between a group and {@code single} here is what a group adds to the proxy's
 * CPU per connection, which {@link ConnectionSetupBenchmark} measures whole (around 100 µs on
 * the development VM) and too noisily to resolve a few percent. One connection at a time, as
 * there: {@code leastconn} always compares idle servers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class UpstreamSelectBenchmark {
    /** The {@link UpstreamShape} measured. */
    @Param({"single", "group3", "group3-leastconn"})
    public String upstream;

    private Upstream target;
    private final Attempt attempt = new Attempt();
    /** What the relay hands a lease to cut the connection with; one for every connection here. */
    private final Runnable cut = () -> { };

    /** Builds the upstream; nothing listens on its addresses, and nothing connects to them. */
    @Setup(Level.Trial)
    public void setUp() {
        UpstreamShape shape = UpstreamShape.named(upstream);
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < shape.servers(); i++) {
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9001 + i));
        }
        target = shape.upstream(addresses);
    }

    /** One connection's calls on the upstream: select, address, connected, released. */
    @Benchmark
    public InetSocketAddress selectConnectRelease() {
        attempt.lease = null;
        target.select(attempt);
        UpstreamLease lease = attempt.lease;
        if (lease == null) {
            throw new IllegalStateException(upstream + ": select answered no lease");
        }
        InetSocketAddress address = lease.address();
        lease.connected(cut);
        lease.released();
        return address;
    }

    /** The first attempt of one client's connection, answered at once; reused for every operation. */
    private static final class Attempt implements UpstreamAttempt {
        private final ConnectionInfo connection = new ConnectionInfo(1,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000), null);
        UpstreamLease lease;

        @Override
        public ConnectionInfo connection() {
            return connection;
        }

        @Override
        public int number() {
            return 1;
        }

        @Override
        public List<UpstreamLease> failedBefore() {
            return List.of();
        }

        @Override
        public void connect(UpstreamLease chosen) {
            lease = chosen;
        }

        @Override
        public void refuse(Throwable cause) {
            throw new IllegalStateException("refused", cause);
        }

        @Override
        public boolean isAbandoned() {
            return false;
        }
    }
}
