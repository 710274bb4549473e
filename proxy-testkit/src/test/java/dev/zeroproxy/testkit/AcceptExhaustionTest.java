package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Out of descriptors at accept (EMFILE): the connection the proxy cannot accept stays in the
 * kernel's queue, so its listener stays readable. The proxy must not retry in a loop, must
 * keep the pairs it already relays, and must accept the waiting connection by itself once
 * descriptors are back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptExhaustionTest {
    /** How long the shortage lasts in the test. */
    private static final Duration SHORTAGE = Duration.ofMillis(2_500);

    @Test
    void failedAcceptsPauseTheListenerAndTheWaitingClientIsServedAfterwards() throws Exception {
        FaultyNioTransport transport = new FaultyNioTransport();
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo();
             Proxy proxy = transport.startProxy(echo.address(), events)) {
            byte[] before = Payload.bytes(91, 8192);
            byte[] waiting = Payload.bytes(92, 8192);
            try (ScriptedPeer established = new ScriptedPeer(SocketChannel.open(proxy.localAddress()))) {
                established.send(before, 0, 4096, Duration.ofSeconds(5));
                assertArrayEquals(Arrays.copyOf(before, 4096), established.readExactly(4096,
                        Duration.ofSeconds(5)), "a pair relayed before the shortage");

                transport.acceptsFail.set(true);
                try (ScriptedPeer client = new ScriptedPeer(SocketChannel.open(proxy.localAddress()))) {
                    client.send(waiting, 0, waiting.length, Duration.ofSeconds(5));
                    // Watching a failure counter over a fixed window: the shortage has no event to wait for.
                    TimeUnit.MILLISECONDS.sleep(SHORTAGE.toMillis());
                    int tries = transport.failedAccepts.get();
                    assertTrue(tries >= 1, "the listener tried to accept");
                    assertTrue(tries <= 2 + SHORTAGE.toMillis() / 1_000,
                            tries + " accepts tried in " + SHORTAGE + ": the listener spins instead of pausing");

                    established.send(before, 4096, before.length, Duration.ofSeconds(5));
                    established.shutdownOutput();
                    ScriptedPeer.Observed rest = established.readToEnd(Duration.ofSeconds(5));
                    assertArrayEquals(Arrays.copyOfRange(before, 4096, before.length), rest.bytes(),
                            "the pair relayed before the shortage is untouched by it");

                    transport.acceptsFail.set(false);
                    client.shutdownOutput();
                    ScriptedPeer.Observed echoed = client.readToEnd(Duration.ofSeconds(5));
                    assertEquals(ScriptedPeer.End.EOF, echoed.end());
                    assertArrayEquals(waiting, echoed.bytes(), "the waiting client is served once accepts work");
                }
            }
            events.awaitClosed(2, 10);
            assertEquals(2, events.of("closed").size());
        }
    }
}
