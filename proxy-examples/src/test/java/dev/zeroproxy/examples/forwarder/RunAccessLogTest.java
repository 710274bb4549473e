package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.testkit.FreePorts;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.Payload;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code zeroproxy run -f FILE --access-log FILE}: one line per connection, named after its frontend and backend. */
@Timeout(60)
class RunAccessLogTest {

    @Test
    void eachConnectionOfTheFileIsOneLineNamedAfterItsFrontend(@TempDir Path dir) throws Exception {
        int port = FreePorts.outsideEphemeralRange(1).get(0);
        Path log = dir.resolve("access.log");
        try (LoopbackServer echo = LoopbackServer.echo()) {
            Path file = dir.resolve("zeroproxy.cfg");
            Files.writeString(file, String.join("\n",
                    "defaults",
                    "    mode tcp",
                    "    timeout connect 2s",
                    "frontend web",
                    "    bind 127.0.0.1:" + port,
                    "    default_backend app",
                    "backend app",
                    "    server app1 127.0.0.1:" + echo.address().getPort(),
                    ""));
            try (ForwarderProcess zp = ForwarderProcess.start("run", "-f", file.toString(), "--access-log",
                    log.toString())) {
                zp.awaitLine("zeroproxy running", Duration.ofSeconds(20));
                for (int i = 1; i <= 3; i++) {
                    byte[] sent = Payload.bytes(70 + i, 777 * i);
                    try (Socket client = new Socket()) {
                        client.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        client.setSoTimeout(10_000);
                        client.getOutputStream().write(sent);
                        client.shutdownOutput();
                        assertArrayEquals(sent, client.getInputStream().readAllBytes(), "echoed byte for byte");
                    }
                }
                zp.signal("TERM");
                assertEquals(0, zp.awaitExit(Duration.ofSeconds(15)), zp.log());
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (String text : lines) {
            AccessLines line = AccessLines.parse(text);
            long size = 777L * Long.parseLong(line.id());
            assertEquals("web", line.frontend(), text);
            assertEquals("app", line.backend(), text);
            assertEquals("app1", line.server(), text);
            assertEquals(size, line.bytesFromClient(), text);
            assertEquals(size, line.bytesToClient(), text);
            assertEquals("--", line.state(), text);
        }
    }
}
