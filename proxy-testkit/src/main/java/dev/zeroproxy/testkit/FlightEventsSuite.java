package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's JDK Flight Recorder events, recorded in a real recording and read back from its
 * file: connections opened and closed (with bytes, termination, retries and, where the
 * transport reads them, the kernel's TCP figures), each upstream connect attempt with its
 * outcome, a server's state change, the AUTO switch to splice, and a backpressure pause. Run
 * for the transports and modes that differ in what they record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class FlightEventsSuite {
    private static final List<String> EVENTS = List.of("dev.zeroproxy.ConnectionOpened",
            "dev.zeroproxy.UpstreamConnect", "dev.zeroproxy.ConnectionClosed", "dev.zeroproxy.ServerStateChange",
            "dev.zeroproxy.SpliceSwitch", "dev.zeroproxy.Backpressure");
    private static final int DOWNLOAD = 8 << 20;

    /** The transport under test. */
    protected abstract Transport transport();

    /** The forwarding mode under test. */
    protected abstract Forwarding forwarding();

    @Test
    void eachEventIsRecordedWithItsFieldsAndReadBack(@TempDir Path dir) throws Exception {
        TransportAssumptions.assumeAvailable(transport());
        Path file = dir.resolve("proxy.jfr");
        try (Recording recording = new Recording();
                LoopbackServer live = LoopbackServer.start(FlightEventsSuite::serveDownload);
                ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String event : EVENTS) {
                recording.enable(event).withThreshold(Duration.ZERO);
            }
            InetSocketAddress dead = (InetSocketAddress) closed.getLocalSocketAddress();
            closed.close(); // A port nobody listens on: the attempt to it is refused.
            UpstreamGroup group = UpstreamGroup.builder("app")
                    .server("dead", dead)
                    .server("live", live.address())
                    .balance(Balance.ROUND_ROBIN)
                    .retries(1)
                    .build();
            recording.start();
            try (Proxy proxy = Proxy.builder()
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .upstream(group)
                    .transport(transport())
                    .forwarding(forwarding())
                    .eventLoops(1)
                    .drainTimeout(Duration.ZERO)
                    .start()) {
                long[] received = new long[2];
                for (int i = 0; i < 2; i++) {
                    received[i] = downloadSlowlyAtFirst(proxy.localAddress());
                }
                assertEquals(DOWNLOAD, received[0]);
                assertEquals(DOWNLOAD, received[1]);
                Await.until(() -> proxy.stats().activeConnections() == 0, Duration.ofSeconds(10), () -> "closed");
                group.disable("live");
            }
            recording.stop();
            recording.dump(file);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> opened = named(events, "dev.zeroproxy.ConnectionOpened");
        assertEquals(2, opened.size(), "two connections opened");
        assertTrue(opened.get(0).getString("client").startsWith("127.0.0.1:"), "the client: " + opened.get(0));

        List<RecordedEvent> attempts = named(events, "dev.zeroproxy.UpstreamConnect");
        assertTrue(attempts.stream().anyMatch(e -> "failed".equals(e.getString("outcome"))
                && "dead".equals(e.getString("server")) && e.getString("error") != null),
                "the refused attempt to the dead server: " + attempts);
        assertEquals(2, attempts.stream().filter(e -> "connected".equals(e.getString("outcome"))
                && "live".equals(e.getString("server")) && "app".equals(e.getString("backend"))).count(),
                "two attempts connected to the live server: " + attempts);

        List<RecordedEvent> closedEvents = named(events, "dev.zeroproxy.ConnectionClosed");
        assertEquals(2, closedEvents.size());
        for (RecordedEvent e : closedEvents) {
            assertEquals(DOWNLOAD, e.getLong("bytesFromUpstream"), "bytes to the client: " + e);
            assertEquals(0, e.getLong("bytesFromClient"));
            assertEquals("COMPLETED", e.getString("termination"));
            assertEquals("live", e.getString("server"));
            assertTrue(e.getLong("lifetime") > 0 && e.getLong("connectTime") >= 0, "times: " + e);
            if (transport().name().equals("epoll")) {
                // Read as the close begins, from each socket still open then: here the upstream's
                // (the client's may have closed first, which is what ended the connection).
                assertTrue(e.getLong("upstreamCwnd") > 0 && e.getDuration("upstreamRtt").toNanos() > 0,
                        "TCP_INFO on epoll: " + e);
            }
        }
        assertEquals(1, closedEvents.stream().filter(e -> e.getInt("retries") == 1).count(),
                "the connection that first tried the dead server retried once: " + closedEvents);

        List<RecordedEvent> states = named(events, "dev.zeroproxy.ServerStateChange");
        assertTrue(states.stream().anyMatch(e -> "live".equals(e.getString("server")) && "app".equals(e.getString("group"))
                && "DISABLED".equals(e.getString("to"))), "the disabled server: " + states);

        List<RecordedEvent> switches = named(events, "dev.zeroproxy.SpliceSwitch");
        List<RecordedEvent> pauses = named(events, "dev.zeroproxy.Backpressure");
        if (forwarding() == Forwarding.AUTO) {
            assertTrue(switches.stream().anyMatch(e -> "FROM_UPSTREAM".equals(e.getString("direction"))
                    && e.getLong("bytesCopied") > 0), "the download switched to splice: " + switches);
        } else {
            assertTrue(switches.isEmpty(), "a copying proxy never switches: " + switches);
            assertFalse(pauses.isEmpty(), "the client's slow start held the upstream back");
            assertTrue(pauses.stream().allMatch(e -> "FROM_UPSTREAM".equals(e.getString("direction"))
                    && e.getDuration().toNanos() > 0), "pauses of the download: " + pauses);
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    /** The upstream: sends the download, then ends its side, and reads the client's EOF. */
    private static void serveDownload(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        Payload.write(out, 7, DOWNLOAD, 64 * 1024);
        socket.shutdownOutput();
        socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    /** A client that waits a little before reading (the proxy's sink fills), then reads it all. */
    private static long downloadSlowlyAtFirst(InetSocketAddress proxy) throws Exception {
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(proxy, 5_000);
            client.setSoTimeout(20_000);
            TimeUnit.MILLISECONDS.sleep(200);
            InputStream in = client.getInputStream();
            String sha = Payload.readToEof(in, 64 * 1024).sha256();
            assertEquals(Payload.sha256Of(7, DOWNLOAD), sha, "the download, byte-exact");
            client.shutdownOutput();
            return DOWNLOAD;
        }
    }
}
