package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Binding, a second start, and {@link Proxy#close()}'s unbind-then-drain. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyLifecycleTest {
    private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static ProxyBuilder builder(InetSocketAddress upstream, RecordingListener events) {
        return Proxy.builder().listen(LOOPBACK_ANY).upstream(upstream).transport(Transport.nio())
                .eventLoops(1).listener(events);
    }

    @Test
    void portZeroBindsAFreePortAndReportsIt() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = builder(echo.address(), new RecordingListener()).start()) {
            assertNotEquals(0, proxy.localAddress().getPort());
            assertEquals(InetAddress.getLoopbackAddress(), proxy.localAddress().getAddress());
            assertTrue(proxy.isAccepting());
        }
    }

    @Test
    void secondStartOfOneBuilderIsRejected() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo()) {
            ProxyBuilder builder = builder(echo.address(), new RecordingListener());
            try (Proxy proxy = builder.start()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, builder::start);
                assertTrue(e.getMessage().startsWith("start(): this builder already started a proxy"), e.getMessage());
                assertTrue(proxy.isAccepting());
            }
        }
    }

    @Test
    void bindingAnAddressInUseNamesIt() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy first = builder(echo.address(), new RecordingListener()).start()) {
            ProxyBindException e = assertThrows(ProxyBindException.class,
                    () -> builder(echo.address(), new RecordingListener()).listen(first.localAddress()).start());
            assertEquals(first.localAddress(), e.address());
            assertTrue(e.getMessage().contains(String.valueOf(first.localAddress().getPort())), e.getMessage());
        }
    }

    @Test
    void closeUnbindsAtOnceThenLetsOpenConnectionsFinish() throws Exception {
        RecordingListener events = new RecordingListener();
        CompletableFuture<Void> releaseResponse = new CompletableFuture<>();
        try (LoopbackServer server = LoopbackServer.start(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int request = in.read();
            releaseResponse.get(30, TimeUnit.SECONDS); // answer only once the proxy is closing
            out.write(request + 1);
            socket.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream());
        })) {
            Proxy proxy = builder(server.address(), events).drainTimeout(Duration.ofSeconds(20)).start();
            InetSocketAddress address = proxy.localAddress();
            try (Socket client = new Socket()) {
                client.connect(address, 5_000);
                client.getOutputStream().write(41);
                // Only a connection the proxy has accepted is open for it: one still in the kernel's
                // accept queue is reset when the listener closes (as with any server), and on a
                // busy machine the accept can lag the client's connect.
                Await.until(() -> events.of("connected").size() == 1, Duration.ofSeconds(5), () -> "accepted");
                CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
                Await.until(() -> !proxy.isAccepting(), Duration.ofSeconds(5), () -> "closing began");
                Await.until(() -> refusesConnections(address), Duration.ofSeconds(5), () -> "listener unbound");
                assertFalse(closing.isDone(), "close() must wait for the open connection");
                releaseResponse.complete(null);
                assertEquals(42, client.getInputStream().read());
                assertEquals(-1, client.getInputStream().read());
                client.shutdownOutput();
                closing.get(20, TimeUnit.SECONDS);
            }
            events.awaitClosed(1, 5);
            assertNull(events.of("closed").get(0).cause(), "a drained connection ends cleanly");
        }
    }

    @Test
    void closeEndsConnectionsStillOpenAfterTheDrainTimeout() throws Exception {
        RecordingListener events = new RecordingListener();
        CompletableFuture<String> upstreamEnd = new CompletableFuture<>();
        try (LoopbackServer echo = LoopbackServer.start(socket -> {
            try {
                socket.getInputStream().transferTo(socket.getOutputStream());
                upstreamEnd.complete("EOF");
            } catch (SocketException e) {
                upstreamEnd.complete("reset");
            }
        })) {
            Proxy proxy = builder(echo.address(), events).drainTimeout(Duration.ofMillis(200)).start();
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5_000);
                client.getOutputStream().write(1);
                assertEquals(1, client.getInputStream().read());
                proxy.close();
                // A cut, not an end: both sides read a reset, never a clean EOF.
                assertThrows(SocketException.class, () -> client.getInputStream().read());
                assertEquals("reset", upstreamEnd.get(5, TimeUnit.SECONDS));
            }
            events.awaitClosed(1, 5);
            Throwable cause = events.of("closed").get(0).cause();
            assertInstanceOf(ProxyClosedConnectionException.class, cause);
            assertEquals(ProxyClosedConnectionException.Reason.DRAIN_TIMEOUT,
                    ((ProxyClosedConnectionException) cause).reason());
            assertEquals(0, proxy.stats().openChannels());
            proxy.close(); // idempotent
        }
    }

    /** The forwarder's second SIGINT/SIGTERM: an interrupt ends a 30 s drain at once, with resets. */
    @Test
    void interruptingCloseEndsTheDrainAtOnceAndCutsWhatIsOpen() throws Exception {
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.start(socket -> {
            try {
                socket.getInputStream().transferTo(socket.getOutputStream());
            } catch (SocketException expectedReset) {
                // The cut reaches the upstream as a reset.
            }
        })) {
            Proxy proxy = builder(echo.address(), events).drainTimeout(Duration.ofSeconds(30)).start();
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5_000);
                client.getOutputStream().write(1);
                assertEquals(1, client.getInputStream().read());
                CompletableFuture<Boolean> closer = new CompletableFuture<>();
                Thread closing = new Thread(() -> {
                    proxy.close();
                    closer.complete(Thread.currentThread().isInterrupted());
                }, "closing");
                closing.start();
                Await.until(() -> !proxy.isAccepting(), Duration.ofSeconds(5), () -> "draining");
                closing.interrupt();
                assertTrue(closer.get(10, TimeUnit.SECONDS), "close() returns well before the drain timeout,"
                        + " with the interrupt status set again");
                assertThrows(SocketException.class, () -> client.getInputStream().read(), "the client is reset");
            }
            events.awaitClosed(1, 5);
            assertEquals(ProxyClosedConnectionException.Reason.DRAIN_INTERRUPTED,
                    ((ProxyClosedConnectionException) events.of("closed").get(0).cause()).reason());
        }
    }

    private static boolean refusesConnections(InetSocketAddress address) {
        try (Socket probe = new Socket()) {
            probe.connect(address, 1_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (java.io.IOException other) {
            return false;
        }
    }
}
