package dev.zeroproxy.examples.forwarder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's upstream: a plain blocking server on 127.0.0.1 that reads each connection to its
 * end, then answers with what it received, as 16 bytes: the byte count and the CRC32C of the
 * bytes, both big-endian longs.
 *
 * <p>Deliberately not Netty and not the proxy's event loops: its threads are named
 * {@code demo-sink-*}, so their CPU time never lands in the proxy's figure, and it shares no
 * code with what is measured. The answer travels back through the proxy after the client's
 * half-close, so every row also proves that the half-close and the reverse direction work.
 *
 * <p>Lifecycle: {@link #start()} binds, {@link #close()} closes the listener and every open
 * connection. Thread-safe.
 */
final class LoopbackSink implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopbackSink.class);
    /** The size of the answer: two longs. */
    static final int ANSWER_BYTES = 16;

    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    private LoopbackSink(ServerSocketChannel server) throws IOException {
        this.server = server;
        this.address = (InetSocketAddress) server.getLocalAddress();
        this.acceptor = new Thread(this::acceptUntilClosed, "demo-sink-accept");
        acceptor.setDaemon(true);
    }

    /** Binds 127.0.0.1 on a free port and starts accepting. */
    static LoopbackSink start() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            LoopbackSink sink = new LoopbackSink(server);
            sink.acceptor.start();
            return sink;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Where to connect. */
    InetSocketAddress address() {
        return address;
    }

    private void acceptUntilClosed() {
        try {
            while (server.isOpen()) {
                SocketChannel connection = server.accept();
                open.add(connection);
                Thread reader = new Thread(() -> readToEndAndAnswer(connection),
                        "demo-sink-" + connections.incrementAndGet());
                reader.setDaemon(true);
                reader.start();
            }
        } catch (ClosedChannelException e) {
            // close() closed the listener: the normal way out.
        } catch (IOException e) {
            LOGGER.warn("demo upstream stopped accepting: {}", e.toString());
        }
    }

    private void readToEndAndAnswer(SocketChannel connection) {
        try (connection) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(Payload.BLOCK_SIZE);
            CRC32C crc = new CRC32C();
            long count = 0;
            // Ends at the client's half-close (read returns -1), or with an exception if the
            // connection is reset or close() closes it.
            while (connection.read(buffer.clear()) >= 0) {
                buffer.flip();
                count += buffer.remaining();
                crc.update(buffer);
            }
            ByteBuffer answer = ByteBuffer.allocate(ANSWER_BYTES).putLong(count).putLong(crc.getValue()).flip();
            while (answer.hasRemaining()) {
                connection.write(answer);
            }
        } catch (ClosedChannelException e) {
            LOGGER.debug("demo upstream connection closed by close()");
        } catch (IOException e) {
            LOGGER.warn("demo upstream connection failed: {}", e.toString());
        } finally {
            open.remove(connection);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel connection : open) {
            connection.close();
        }
    }
}
