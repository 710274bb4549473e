package dev.zeroproxy.bench;

import java.io.IOException;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

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

    /** The path currently running; started and closed by the subclass's trial setup and teardown. */
    RunningPath running;
    private BlockingServer upstream;

    /** Starts the path in front of {@code upstream}, which it then owns. For the subclass's trial setup. */
    final void startPathTo(BlockingServer upstream) throws IOException {
        this.upstream = upstream;
        running = ProxyPath.named(path).start(upstream.address());
    }

    /** Closes the path, then its upstream. For the subclass's trial teardown. */
    final void closePathAndUpstream() {
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
        }
    }
}
