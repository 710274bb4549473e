package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, findings 2 and 3, replayed on the real {@code zeroproxy forward} process as they were
 * found: a second forwarder on a served port, and descriptor exhaustion with a low {@code ulimit -n}.
 */
@Timeout(90)
class ForwarderOperatorDefectsTest {

    /** Finding 2: with two event loops the second forwarder printed its ready line and took a share. */
    @Test
    void aSecondForwarderOnTheSamePortExitsWithAddressInUse() throws Exception {
        try (ForwarderProcess first = ForwarderProcess.start("forward", "--listen", "127.0.0.1:0",
                "--upstream", "127.0.0.1:9", "--event-loops", "2")) {
            InetSocketAddress served = first.awaitReady(Duration.ofSeconds(20));
            try (ForwarderProcess second = ForwarderProcess.start("forward", "--listen",
                    "127.0.0.1:" + served.getPort(), "--upstream", "127.0.0.1:9", "--event-loops", "2")) {
                assertEquals(2, second.awaitExit(Duration.ofSeconds(30)), second.log());
                assertTrue(second.log().contains("cannot bind 127.0.0.1:" + served.getPort()), second.log());
                assertTrue(second.log().contains("in use"), second.log());
                assertFalse(second.log().contains("zeroproxy forwarding"), "no ready line: " + second.log());
            }
            assertTrue(first.isAlive(), "the first one serves on");
            first.signal("TERM");
            assertEquals(0, first.awaitExit(Duration.ofSeconds(15)), first.log());
        }
    }

    /**
     * Finding 3: with {@code ulimit -n 80} and 45 clients, relays whose upstream socket could not
     * be made never finished, stack traces were logged, and the stop overran its drain timeout.
     * Now every client ends (echoed, or reset), nothing logs a stack trace, the stop keeps to
     * the drain timeout, and the summary counts the failures.
     */
    @Test
    void outOfDescriptorsEveryClientEndsAndTheStopKeepsToTheDrainTimeout() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread echo = EchoUpstream.serve(upstream);
            int limit = baselineDescriptors() + 30; // room for about a dozen pairs
            try (ForwarderProcess zp = ForwarderProcess.startWithDescriptorLimit(limit, "forward",
                    "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream.getLocalPort(),
                    "--event-loops", "1", "--drain-timeout", "2s")) {
                InetSocketAddress address = zp.awaitReady(Duration.ofSeconds(20));
                List<Socket> clients = new ArrayList<>();
                int echoed = 0;
                int ended = 0;
                try {
                    int notServedInARow = 0;
                    // Up to 45 clients, as in the finding; once five in a row are not served the
                    // limit is reached, and more would only wait in the accept queue.
                    for (int i = 0; i < 45 && notServedInARow < 5; i++) {
                        Socket client = new Socket();
                        clients.add(client);
                        client.setSoTimeout(500);
                        try {
                            client.connect(address, 1_000);
                            client.getOutputStream().write(i);
                            if (client.getInputStream().read() == i) {
                                echoed++;
                                notServedInARow = 0;
                                continue;
                            }
                            ended++;
                        } catch (java.net.SocketTimeoutException waiting) {
                            // Left in the accept queue while the proxy is out of descriptors.
                        } catch (IOException reset) {
                            ended++;
                        }
                        notServedInARow++;
                    }
                    assertTrue(echoed > 0, "some pairs were served before the limit: " + zp.log());
                    assertTrue(echoed < 45, "the limit was reached (else this test shows nothing): " + zp.log());
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                }
                long stopping = System.nanoTime();
                zp.signal("TERM");
                assertEquals(0, zp.awaitExit(Duration.ofSeconds(20)), zp.log());
                long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
                assertTrue(stopMillis < 2_000 + 3_000, "the stop kept to the 2 s drain (took " + stopMillis + " ms): "
                        + zp.log());
                assertFalse(zp.log().contains("\tat "), "no stack traces: " + zp.log());
                assertFalse(zp.log().contains("did not close"), zp.log());
                String summary = zp.awaitLine("zeroproxy stopped", Duration.ofSeconds(1));
                assertTrue(summary.contains(" served, "), summary);
            } finally {
                echo.interrupt();
            }
        }
    }

    /** Descriptors a forwarder holds when it has just started, measured on one. */
    private static int baselineDescriptors() throws Exception {
        try (ForwarderProcess probe = ForwarderProcess.start("forward", "--listen", "127.0.0.1:0",
                "--upstream", "127.0.0.1:9", "--event-loops", "1")) {
            probe.awaitReady(Duration.ofSeconds(20));
            return probe.openDescriptors();
        }
    }
}
