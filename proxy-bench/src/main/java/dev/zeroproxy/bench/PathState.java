package dev.zeroproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The {@code path} parameter every benchmark shares: what stands between the client and the
 * upstream (see {@link ProxyPath}). Each benchmark extends this class, so one list of values
 * serves all of them; choose some on the command line with {@code -p path=naive,epoll-splice}.
 */
@State(Scope.Benchmark)
public abstract class PathState {
    /** The path under test; one of the values of {@link ProxyPath}. */
    @Param({"direct", "naive", "nio-copy", "epoll-copy", "epoll-splice", "epoll-auto"})
    public String path;

    /**
     * Whether a ZeroProxy path is metered as the forwarder meters its proxy ({@link BenchMetrics}:
     * the metrics listener, a Prometheus registry, one scrape per iteration): {@code off} (the
     * default) or {@code on}; {@code -p metrics=off,on} measures both in one run, for the cost
     * of metering in the proxy's CPU per connection and per MiB. Only the ZeroProxy paths have it.
     */
    @Param({"off"})
    public String metrics;

    /** The path currently running; started and closed by the subclass's trial setup and teardown. */
    RunningPath running;
    private final List<BlockingServer> upstreams = new ArrayList<>();

    /** Starts one upstream server, for {@link #startPathTo(UpstreamShape, UpstreamFactory)}. */
    @FunctionalInterface
    interface UpstreamFactory {
        BlockingServer start() throws IOException;
    }

    /** Starts the path in front of {@code upstream}, which it then owns. For the subclass's trial setup. */
    final void startPathTo(BlockingServer upstream) throws IOException {
        startPathTo(UpstreamShape.SINGLE, () -> upstream);
    }

    /**
     * Starts {@link UpstreamShape#servers()} upstream servers with {@code factory}, then the path
     * in front of them as {@code shape} says (a group for a ZeroProxy path); it owns them all.
     * For the subclass's trial setup. If anything fails to start, what did start is closed.
     *
     * @throws IllegalArgumentException if {@code shape} is a group and the path is not ZeroProxy
     */
    final void startPathTo(UpstreamShape shape, UpstreamFactory factory) throws IOException {
        boolean started = false;
        try {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (int i = 0; i < shape.servers(); i++) {
                BlockingServer upstream = factory.start();
                upstreams.add(upstream);
                addresses.add(upstream.address());
            }
            running = ProxyPath.named(path).start(shape, addresses, metered());
            started = true;
        } finally {
            if (!started) {
                closePathAndUpstream();
            }
        }
    }

    /**
     * Scrapes a metered path's meters once per iteration, as a Prometheus server would every few
     * seconds: outside the measured operations, on this thread.
     */
    @TearDown(Level.Iteration)
    public void scrapeMetrics() {
        if (running != null) {
            running.scrapeMetrics();
        }
    }

    private boolean metered() {
        switch (metrics) {
            case "off":
                return false;
            case "on":
                return true;
            default:
                throw new IllegalArgumentException("metrics: " + metrics + " (expected: off or on)");
        }
    }

    /** Closes the path, then its upstreams. For the subclass's trial teardown. */
    final void closePathAndUpstream() {
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            running = null;
            closeUpstreams(0);
        }
    }

    /** Closes the upstreams from index {@code from} on, each even if one before it failed to close. */
    private void closeUpstreams(int from) {
        if (from >= upstreams.size()) {
            upstreams.clear();
            return;
        }
        try {
            upstreams.get(from).close();
        } finally {
            closeUpstreams(from + 1);
        }
    }
}
