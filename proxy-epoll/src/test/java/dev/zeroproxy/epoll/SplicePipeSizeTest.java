package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.OpenPipes;
import dev.zeroproxy.testkit.Payload;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Splice pipes get the capacity asked for, read back from the kernel with F_GETPIPE_SZ, and
 * carry an echoed payload byte-exact at the smallest, a middle and the default size.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SplicePipeSizeTest {

    @ParameterizedTest(name = "pipe of {0} bytes")
    @ValueSource(ints = {ProxyBuilder.MIN_SPLICE_PIPE_SIZE, 256 * 1024, ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE})
    void splicePipesHaveTheCapacityAskedForAndRelayExactly(int pipeSize) throws Exception {
        assertNull(LibC.unavailabilityCause(), "JNA binds fcntl here");
        Set<Path> pipesBefore = OpenPipes.open();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = startProxy(echo, Forwarding.SPLICE, pipeSize);
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5_000);
            client.getOutputStream().write(new byte[] {1, 2, 3});
            client.getInputStream().readNBytes(3);

            Set<Path> newPipes = OpenPipes.open();
            newPipes.removeAll(pipesBefore);
            assertEquals(4, newPipes.size(), "two pipes (4 descriptors) for one spliced connection: " + newPipes);
            List<Integer> capacities = newPipes.stream().map(SplicePipeSizeTest::capacity).collect(Collectors.toList());
            assertEquals(List.of(pipeSize, pipeSize, pipeSize, pipeSize), capacities, "F_GETPIPE_SZ of " + newPipes);

            // 8 MiB each way through pipes of this size, echoed back and checked byte for byte.
            long length = 8L << 20;
            Thread writer = new Thread(() -> {
                try {
                    Payload.write(client.getOutputStream(), pipeSize, length, 64 * 1024);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "payload-writer");
            writer.start();
            Payload.Received echoed = Payload.readToEof(client.getInputStream(), 64 * 1024);
            writer.join(30_000);
            assertEquals(new Payload.Received(length, Payload.sha256Of(pipeSize, length)), echoed);
            // How much went through buffers is the relay suites' business (EpollSpliceSmallPipeRelayTest).
            assertTrue(proxy.stats().bytesSpliced() > 0, "nothing was spliced: " + proxy.stats());
            Await.until(() -> proxy.stats().openChannels() == 0, Duration.ofSeconds(10), () -> "connection closed");
        }
    }

    /**
     * AUTO switches to splice in the middle of a read, either in {@code channelRead} or from the
     * sink's writability change that a flush inside that read raises: both must give the
     * following splice pass the sized pipe, not the 64 KiB one Netty would make itself.
     */
    @Test
    void autoSplicePipesHaveTheDefaultCapacityWhereverTheSwitchHappens() throws Exception {
        Set<Path> pipesBefore = OpenPipes.open();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = startProxy(echo, Forwarding.AUTO, ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE);
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5_000);
            long length = 16L << 20;
            Thread writer = new Thread(() -> {
                try {
                    Payload.write(client.getOutputStream(), 77, length, 256 * 1024);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "payload-writer");
            writer.start();
            assertEquals(Payload.sha256Of(77, length), Payload.readExactly(client.getInputStream(), length));
            writer.join(30_000);

            Set<Path> newPipes = OpenPipes.open();
            newPipes.removeAll(pipesBefore);
            assertEquals(4, newPipes.size(), "both directions switched to splice: " + newPipes);
            List<Integer> capacities = newPipes.stream().map(SplicePipeSizeTest::capacity).collect(Collectors.toList());
            int size = ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE;
            assertEquals(List.of(size, size, size, size), capacities, "F_GETPIPE_SZ of " + newPipes);
            client.shutdownOutput();
            client.getInputStream().readAllBytes();
            Await.until(() -> proxy.stats().openChannels() == 0, Duration.ofSeconds(10), () -> "connection closed");
            // A bulk transfer is still AUTO's: past the threshold its reads are large, so all but
            // the threshold, the first reads after it and the end-of-stream tails is spliced.
            long spliced = proxy.stats().bytesSpliced();
            assertTrue(spliced >= 0.9 * 2 * length, "16 MiB each way mostly spliced: " + proxy.stats());
        }
    }

    @Test
    void aRefusedSizeLeavesTheDescriptorAsItWas(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-pipe"), "x");
        FileDescriptor notAPipe = FileDescriptor.from(file.toFile());
        try {
            assertEquals(-1, SplicePipes.resize(notAPipe, ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE),
                    "F_SETPIPE_SZ on a regular file is refused");
        } finally {
            notAPipe.close();
        }
    }

    private static Proxy startProxy(LoopbackServer upstream, Forwarding mode, int pipeSize) {
        return Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(upstream.address())
                .transport(Transport.named("epoll"))
                .forwarding(mode)
                .splicePipeSize(pipeSize)
                .start();
    }

    private static int capacity(Path fd) {
        return LibC.fcntl(OpenPipes.number(fd), LibC.F_GETPIPE_SZ, 0);
    }
}
