package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Connection rate: each operation connects through the path, sends one byte, reads it back
 * from an {@link EchoServer}, reads the end of stream, and closes. For a proxy that is an
 * accept, an upstream connect, two relays set up and both half-closes passed on, per operation.
 *
 * <p>Ephemeral ports: the echo server closes first (after its one byte), and the client waits
 * for that EOF before closing, so every connection ends server-first and TIME_WAIT lands on
 * the sockets whose local port is a listening port (the echo's and the proxy's accepted
 * sockets). The client's and the proxy's upstream-side ephemeral ports are closed passively and
 * free at once, so a long run at tens of thousands of connections per second cannot exhaust
 * them, whatever {@code tcp_tw_reuse} says, and no connection ends in a reset
 * ({@code SO_LINGER 0} would have avoided TIME_WAIT too, but would measure the proxy's error
 * path rather than a normal close).
 *
 * <p>Besides the rate, the secondary results {@code proxyCpuUsPerConn} (and its user/system
 * split) give the CPU the proxy's own threads spent per connection ({@link ConnectionCpuCounters}).
 *
 * <p>The {@code upstream} parameter ({@link UpstreamShape}) says what a ZeroProxy path relays
 * to: {@code single} (the default, one echo server, {@code Upstream.of}), {@code group3} (an
 * upstream group of three echo servers, round robin) or {@code group3-leastconn} (the same,
 * least connections). Groups exist only on the ZeroProxy paths, so ask for them with those:
 * {@code -p path=epoll-auto -p upstream=single,group3}; {@code direct} and {@code naive} refuse
 * them in the trial setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class ConnectionSetupBenchmark extends PathState {
    private static final int PAYLOAD = 0x5a;

    /**
     * What the path relays to: one of the values of {@link UpstreamShape}. Only {@code single}
     * by default, the one every path has; {@code group3} and {@code group3-leastconn} are for
     * the ZeroProxy paths (see the class comment).
     */
    @Param({"single"})
    public String upstream;

    /** Starts the echo servers, each closing after one byte, and the path in front of them. */
    @Setup(Level.Trial)
    public void startPath() throws IOException {
        startPathTo(UpstreamShape.named(upstream), () -> EchoServer.start(1));
    }

    /** Closes the path, then the echo servers. */
    @TearDown(Level.Trial)
    public void stopPath() {
        closePathAndUpstream();
    }

    /** One connection: connect, one byte each way, the server's EOF, close. Returns the echoed byte. */
    @Benchmark
    public int connectEchoClose(ConnectionCpuCounters cpu) throws IOException {
        try (Socket socket = Sockets.connect(running.address())) {
            socket.getOutputStream().write(PAYLOAD);
            InputStream in = socket.getInputStream();
            int echoed = in.read();
            if (echoed != PAYLOAD) {
                throw new IllegalStateException(path + ": echoed " + echoed + " instead of " + PAYLOAD);
            }
            if (in.read() != -1) {
                throw new IllegalStateException(path + ": no end of stream after the echoed byte");
            }
            cpu.connected();
            return echoed;
        }
    }
}
