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

    /** Starts an echo server that closes after one byte, and the path in front of it. */
    @Setup(Level.Trial)
    public void startPath() throws IOException {
        startPathTo(EchoServer.start(1));
    }

    /** Closes the path, then the echo server. */
    @TearDown(Level.Trial)
    public void stopPath() {
        closePathAndUpstream();
    }

    /** One connection: connect, one byte each way, the server's EOF, close. Returns the echoed byte. */
    @Benchmark
    public int connectEchoClose() throws IOException {
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
            return echoed;
        }
    }
}
