package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.testkit.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client connection through a running {@link Deployment} to a
 * {@link dev.zeroproxy.testkit.TaggedServer} (or any server that writes one byte, its tag, and
 * then echoes): learns which server it reached, sends seeded random bytes while reading the
 * echo, and compares every byte by SHA-256. Blocking {@code java.net}, each read bounded by a
 * socket timeout.
 */
final class Session implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final int MAX_CHUNK = 16 * 1024;
    private static final int CONNECT_PROBE_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tag = -1;

    private Session(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects from 127.0.0.1. */
    static Session open(InetSocketAddress proxy) throws IOException {
        return open("127.0.0.1", proxy);
    }

    /** Connects from {@code source} (a loopback address: 127.0.0.2 is another client host). */
    static Session open(String source, InetSocketAddress proxy) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(proxy, READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new Session(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One whole exchange from 127.0.0.1: the server's tag, {@code length} random bytes echoed exactly, both half-closes. */
    static int exchange(InetSocketAddress proxy, long seed, int length) throws Exception {
        return exchange("127.0.0.1", proxy, seed, length);
    }

    /** One whole exchange from {@code source}. */
    static int exchange(String source, InetSocketAddress proxy, long seed, int length) throws Exception {
        try (Session session = open(source, proxy)) {
            int tag = session.tag();
            session.roundTrip(seed, length);
            session.finish();
            return tag;
        }
    }

    /** Ports {@link #freePort} has handed out in this JVM. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A free port on 127.0.0.1 for a file (the parser refuses port 0): bound once and closed, and
     * never one handed out before in this JVM. The kernel may give the same port to two probes in
     * a row, and a test that asks for two ports (two binds of one file) would then get one twice.
     */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(probe.getLocalPort())) {
                    return probe.getLocalPort();
                }
            }
        }
    }

    /**
     * Whether a connect to {@code address} is refused now (nothing listens there). A connect reset
     * as it completes counts as refused: a listener that closes resets what waited in its backlog.
     */
    static boolean refused(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, CONNECT_PROBE_TIMEOUT_MILLIS);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return true;
            }
            throw e;
        }
    }

    /** The first byte the server wrote: its tag. */
    int tag() throws IOException {
        if (tag < 0) {
            tag = in.read();
            if (tag < 0) {
                throw new IOException("EOF before the server's tag");
            }
        }
        return tag;
    }

    /** Sends {@code length} random bytes of {@code seed} (in random chunks) while reading their echo; compares them. */
    void roundTrip(long seed, int length) throws Exception {
        tag();
        FutureTask<String> writer = new FutureTask<>(() -> Payload.write(out, seed, length, MAX_CHUNK));
        Thread thread = new Thread(writer, "session-writer-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
        String received = Payload.readExactly(in, length);
        String sent;
        try {
            sent = writer.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("writing failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("writing did not finish", e);
        }
        assertEquals(Payload.sha256Of(seed, length), sent);
        assertEquals(sent, received, "the echo of " + length + " bytes of seed " + seed);
    }

    /** The next {@code length} bytes (after the tag); fails at an early EOF. */
    byte[] read(int length) throws IOException {
        tag();
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new IOException("EOF after " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    /** Half-closes, then expects the server's half-close with nothing more before it. */
    void finish() throws IOException {
        socket.shutdownOutput();
        assertEquals(-1, in.read(), "EOF after the client's half-close");
    }

    /** The client's own address, as the proxy sees it. */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Reads one byte with a short timeout: for a client whose connection is expected to be reset. */
    int readWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read();
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    OutputStream output() {
        return out;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
