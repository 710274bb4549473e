package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
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
 * Round-trip latency: one connection per trial through the path to an {@link EchoServer};
 * each operation writes 64 bytes and reads the 64 echoed bytes back. What the path adds to
 * {@code direct} is its per-message cost: wake-ups, system calls, and (for splice) the pipe.
 *
 * <p>{@code epoll-auto} copies only the first 256 KiB each way (4096 round trips), a fraction
 * of the first warmup iteration: what it measures is splicing.
 *
 * <p>Reported as the average ({@code avgt}) and as a sampled distribution ({@code sample},
 * with percentiles), in microseconds per round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class PingPongBenchmark extends PathState {
    /** A small request/response message, well under one segment. */
    static final int MESSAGE_SIZE = 64;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] ping = new byte[MESSAGE_SIZE];
    private final byte[] pong = new byte[MESSAGE_SIZE];

    /** Starts the echo server, the path, and the one connection the trial uses. */
    @Setup(Level.Trial)
    public void connect() throws IOException {
        for (int i = 0; i < ping.length; i++) {
            ping[i] = (byte) (i + 1);
        }
        startPathTo(EchoServer.start(EchoServer.UNLIMITED));
        socket = Sockets.connect(running.address());
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Closes the connection first, so the path has nothing left to drain; then the path and the echo. */
    @TearDown(Level.Trial)
    public void disconnect() throws IOException {
        try {
            if (socket != null) {
                socket.close();
            }
        } finally {
            closePathAndUpstream();
        }
    }

    /** One 64-byte round trip; returns the echoed bytes, checked equal to those sent. */
    @Benchmark
    public byte[] roundTrip() throws IOException {
        out.write(ping, 0, MESSAGE_SIZE);
        Sockets.readFully(in, pong, MESSAGE_SIZE);
        if (!Arrays.equals(ping, pong)) {
            throw new IllegalStateException(path + ": echoed bytes differ from those sent");
        }
        return pong;
    }
}
