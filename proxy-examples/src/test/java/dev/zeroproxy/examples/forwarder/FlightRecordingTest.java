package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.testkit.LoopbackServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --jfr FILE}: the shipped settings turn ZeroProxy's events on, and the file has them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlightRecordingTest {

    @Test
    void theShippedSettingsEnableEveryZeroProxyEvent() {
        Set<String> enabled = FlightRecording.ours().getSettings().entrySet().stream()
                .filter(e -> e.getKey().endsWith("#enabled") && e.getValue().equals("true"))
                .map(e -> e.getKey().substring(0, e.getKey().indexOf('#')))
                .collect(Collectors.toSet());
        assertEquals(Set.of("dev.zeroproxy.ConnectionOpened", "dev.zeroproxy.ConnectionClosed",
                "dev.zeroproxy.UpstreamConnect", "dev.zeroproxy.ServerStateChange", "dev.zeroproxy.SpliceSwitch",
                "dev.zeroproxy.Backpressure"), enabled);
        assertEquals("20 ms", FlightRecording.ours().getSettings().get("dev.zeroproxy.Backpressure#threshold"));
    }

    @Test
    void aRecordingOfTheRunHoldsTheConnectionsAndTheJdksOwnEvents(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.jfr");
        try (LoopbackServer echo = LoopbackServer.echo()) {
            FlightRecording recording = FlightRecording.start(file);
            try (Proxy proxy = Proxy.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .upstream(echo.address()).drainTimeout(Duration.ZERO).start()) {
                for (int i = 0; i < 3; i++) {
                    try (Socket client = new Socket()) {
                        client.connect(proxy.localAddress(), 5_000);
                        client.setSoTimeout(10_000);
                        client.getOutputStream().write(new byte[] {1, 2, 3});
                        client.shutdownOutput();
                        assertEquals(3, client.getInputStream().readAllBytes().length);
                    }
                }
                dev.zeroproxy.testkit.Await.until(() -> proxy.stats().activeConnections() == 0,
                        Duration.ofSeconds(10), () -> "closed");
            } finally {
                recording.close();
            }
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertEquals(3, events.stream().filter(e -> e.getEventType().getName().equals("dev.zeroproxy.ConnectionClosed"))
                .filter(e -> e.getLong("bytesFromClient") == 3 && e.getLong("bytesFromUpstream") == 3).count());
        assertTrue(events.stream().map(RecordedEvent::getEventType).map(EventType::getName)
                .anyMatch(name -> name.equals("jdk.JVMInformation")), "the JDK's default events too");
    }

    @Test
    void aFileInADirectoryThatDoesNotExistIsRefusedNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("missing/run.jfr");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlightRecording.start(file));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
}
