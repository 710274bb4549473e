package dev.zeroproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Bulk throughput: each operation opens a new connection through the path, sends {@code size}
 * bytes to a {@link SinkServer}, shuts its output down, and waits for the sink's 8-byte count,
 * which must equal {@code size}. The operation is therefore done only when the last byte has
 * reached the upstream, and it includes one connection setup and teardown.
 *
 * <p>Score: operations per second; MB/s = score × size / 10^6 (MiB/s: / 2^20). Secondary
 * results: {@link ProxyCpuCounters} (the proxy's CPU µs per MiB, user and system); with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is the heap allocated per operation by the whole
 * JVM (client, sink, proxy), so heap bytes per payload byte = {@code gc.alloc.rate.norm / size}.
 *
 * <p>Every connection the client closes leaves its client-side socket, and the proxy's
 * upstream-side one, in TIME_WAIT (the client's FIN goes first: it is the end-of-request
 * signal). Linux lets loopback connects reuse such ports after a second
 * ({@code net.ipv4.tcp_tw_reuse=2}, the default since 4.20), so ephemeral ports do not run out
 * at the rates reached here; with {@code tcp_tw_reuse=0}, 16 KiB operations can exhaust them in
 * a few seconds and connects fail with "Cannot assign requested address".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class BulkTransferBenchmark extends PathState {
    /** The client writes in pieces of this size (the most one loopback socket read returns here). */
    private static final int CHUNK_SIZE = 64 * 1024;

    /** Payload bytes per operation: 16 KiB (connection-dominated) to 64 MiB (copy-dominated). */
    @Param({"16384", "1048576", "67108864"})
    public int size;

    private final byte[] chunk = new byte[CHUNK_SIZE];
    private final byte[] reply = new byte[Long.BYTES];

    /** Starts the sink and the path in front of it. */
    @Setup(Level.Trial)
    public void startPath() throws IOException {
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7); // not all zeros, so nothing on the way can cheat on them
        }
        startPathTo(SinkServer.start());
    }

    /** Closes the path, then the sink. */
    @TearDown(Level.Trial)
    public void stopPath() {
        closePathAndUpstream();
    }

    /** One connection, {@code size} bytes upstream, the sink's count back; returns that count. */
    @Benchmark
    public long transfer(ProxyCpuCounters cpu) throws IOException {
        try (Socket socket = Sockets.connect(running.address())) {
            OutputStream out = socket.getOutputStream();
            for (int left = size; left > 0; left -= CHUNK_SIZE) {
                out.write(chunk, 0, Math.min(CHUNK_SIZE, left));
            }
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            Sockets.readFully(in, reply, Long.BYTES);
            long received = Sockets.getLong(reply);
            if (received != size) {
                throw new IllegalStateException(path + ": the sink received " + received + " bytes of " + size);
            }
            cpu.moved(size);
            return received;
        }
    }
}
