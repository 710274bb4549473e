package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.zeroproxy.Proxy;
import io.netty.channel.ChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Out of descriptors at the upstream connect: the socket for the upstream cannot be created
 * (EMFILE). Each such connection must end cleanly (the client reset promptly, the listener told
 * once, nothing left open) and the proxy must serve the next connection once sockets can be had
 * again. The failure is injected in the transport's channel factory, exactly where Netty meets
 * a real EMFILE, so the test JVM keeps its own descriptors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamSocketExhaustionTest {
    private static final int EXHAUSTED_CONNECTIONS = 5;

    @Test
    void eachConnectionWithoutAnUpstreamSocketIsResetOnceAndTheProxyRecovers() throws Exception {
        RecordingListener events = new RecordingListener();
        FaultyNioTransport transport = new FaultyNioTransport();
        transport.upstreamSocketFailures.set(EXHAUSTED_CONNECTIONS);
        try (LoopbackServer echo = LoopbackServer.echo();
             Proxy proxy = transport.startProxy(echo.address(), events)) {
            byte[] request = Payload.bytes(77, 4096);
            for (int i = 0; i < EXHAUSTED_CONNECTIONS; i++) {
                try (ScriptedPeer client = new ScriptedPeer(SocketChannel.open(proxy.localAddress()))) {
                    // Nothing is sent: the proxy may reset the connection before any write could land.
                    ScriptedPeer.Observed seen = client.readToEnd(Duration.ofSeconds(5));
                    assertEquals(ScriptedPeer.End.RESET, seen.end(), "connection " + i + ": the client is reset");
                    assertEquals(0, seen.bytes().length);
                }
            }
            events.awaitClosed(EXHAUSTED_CONNECTIONS, 10);
            assertEquals(EXHAUSTED_CONNECTIONS, events.of("connectFailed").size());
            events.of("connectFailed").forEach(e -> assertInstanceOf(ChannelException.class, e.cause()));
            assertEquals(EXHAUSTED_CONNECTIONS, events.of("closed").size(), "each reported closed exactly once");
            assertEquals(EXHAUSTED_CONNECTIONS, proxy.stats().upstreamConnectFailures());

            // Descriptors are back: the very next connection is relayed byte for byte.
            try (ScriptedPeer client = new ScriptedPeer(SocketChannel.open(proxy.localAddress()))) {
                client.send(request, 0, request.length, Duration.ofSeconds(5));
                client.shutdownOutput();
                ScriptedPeer.Observed echoed = client.readToEnd(Duration.ofSeconds(5));
                assertEquals(ScriptedPeer.End.EOF, echoed.end());
                assertArrayEquals(request, echoed.bytes());
            }
            events.awaitClosed(EXHAUSTED_CONNECTIONS + 1, 10);
            Await.until(() -> proxy.stats().openChannels() == 0 && proxy.stats().activeConnections() == 0,
                    Duration.ofSeconds(10), () -> "nothing left open: " + proxy.stats());
        }
    }
}
