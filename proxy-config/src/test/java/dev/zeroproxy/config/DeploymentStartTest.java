package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.internal.ProxyServer;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.TaggedServer;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starting a file, checking one, and closing: real loopback servers, byte-exact relays. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentStartTest {
    private static final int MIB = 1 << 20;

    @Test
    void twoFrontendsOverTwoBackendsRelayByteExactOnTheSameLoops() throws Exception {
        try (TaggedServer app = TaggedServer.start(1); TaggedServer canary = TaggedServer.start(2)) {
            int web = Session.freePort();
            int admin = Session.freePort();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    frontend admin
                        bind 127.0.0.1:%d
                        default_backend canary
                    backend app
                        server app1 127.0.0.1:%d
                    backend canary
                        server canary1 127.0.0.1:%d
                    """.formatted(web, admin, app.address().getPort(), canary.address().getPort());

            try (Deployment deployment = Running.start(text, ProxyListener.NOOP)) {
                Session toApp = Session.open(loopback(web));
                Session toCanary = Session.open(loopback(admin));
                assertEquals(1, toApp.tag());
                assertEquals(2, toCanary.tag());

                // Both proxies' listening and relayed channels run on the runtime's two loop threads.
                Set<String> threads = new HashSet<>();
                for (Proxy proxy : deployment.proxies().values()) {
                    List<Channel> channels = new ArrayList<>(Running.listening(proxy));
                    channels.addAll(((ProxyServer) proxy).connectionChannels());
                    for (Channel channel : channels) {
                        threads.add(channel.eventLoop().submit(() -> Thread.currentThread().getName()).get());
                    }
                }
                assertEquals(2, deployment.runtime().eventLoops());
                assertTrue(threads.size() <= 2 && threads.stream().allMatch(name -> name.startsWith("zeroproxy-")),
                        threads::toString);

                toApp.roundTrip(11, MIB);
                toCanary.roundTrip(12, MIB);
                toApp.finish();
                toCanary.finish();
                toApp.close();
                toCanary.close();
                assertEquals(1, Session.exchange(loopback(web), 13, 3 * MIB / 2));
                assertEquals(2, Session.exchange(loopback(admin), 14, 3 * MIB / 2));
                assertEquals(2, app.accepted());
                assertEquals(2, canary.accepted());
            }
        }
    }

    /** One frontend, web on {@code port}, relaying to {@code app}. */
    private static String webToApp(int port, TaggedServer app) {
        return Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:%d
                """.formatted(port, app.address().getPort());
    }

    @Test
    void closeRunsWhatItIsGivenAfterTheDrainAndBeforeTheLoopsStop() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int port = Session.freePort();
            Deployment deployment = Running.start(webToApp(port, app), ProxyListener.NOOP);
            Proxy proxy = deployment.proxies().get(loopback(port));
            List<String> seen = new ArrayList<>();
            deployment.close(() -> {
                seen.add("proxy accepting: " + proxy.isAccepting());
                seen.add("loops running: " + !deployment.runtime().eventLoopGroup().isShuttingDown());
            });
            assertEquals(List.of("proxy accepting: false", "loops running: true"), seen);
            assertTrue(deployment.runtime().eventLoopGroup().isTerminated(), "then the loops stopped");
        }
    }

    @Test
    void checkReportsTheErrorsStartWouldGive() {
        String text = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:18080
                    default_backend app
                backend app
                    server s1 127.0.0.1:9000 weight 0
                backend spare
                    server s2 127.0.0.1:9001 check inter 1ms
                    timeout queue 100us
                """;
        ProxyFile file = ConfigParser.parse(Running.FILE, text);

        List<ConfigError> checked = assertThrows(ConfigException.class, () -> Deployment.check(file)).errors();
        List<ConfigError> started = assertThrows(ConfigException.class,
                () -> Deployment.start(file, ProxyListener.NOOP).close()).errors();

        assertEquals(checked, started);
        assertEquals(List.of(Running.lineOf(text, "weight 0"), Running.lineOf(text, "inter 1ms")),
                checked.stream().map(error -> error.where().line()).toList(), checked::toString);
    }

    @Test
    void checkBindsNothingAndStartsNothing() throws Exception {
        int port = Session.freePort();
        Set<String> before = Running.libraryThreads();
        ProxyFile file = Running.file(Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:9000 check
                """.formatted(port));

        Deployment.check(file);

        assertTrue(Session.refused(loopback(port)), "nothing listens after a check");
        try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, free.getLocalPort());
        }
        assertEquals(before, Running.libraryThreads());
    }

    @Test
    void aBindAlreadyTakenFailsTheStartAtItsLineAndLeavesNothingRunning() throws Exception {
        Set<String> before = Running.libraryThreads();
        try (TaggedServer app = TaggedServer.start(1);
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int free = Session.freePort();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    frontend admin
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d check inter 50ms
                    """.formatted(free, taken.getLocalPort(), app.address().getPort());
            ProxyFile file = Running.file(text);

            ConfigException refused = assertThrows(ConfigException.class, () -> Deployment.start(file, ProxyListener.NOOP));

            ConfigError error = refused.errors().get(0);
            assertEquals(1, refused.errors().size(), refused::getMessage);
            assertEquals(new SourcePosition(Running.FILE, Running.lineOf(text, "bind 127.0.0.1:" + taken.getLocalPort()),
                    10), error.where());
            assertEquals("bind", error.keyword());
            assertTrue(error.problem().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), error::toString);
            assertTrue(Session.refused(loopback(free)), "the bind opened first is closed again");
            Await.until(() -> before.containsAll(Running.libraryThreads()), Duration.ofSeconds(10),
                    () -> "the loops stopped: " + Running.libraryThreads());
        }
    }

    @Test
    void closeLetsAnOpenConnectionFinishWhileRefusingNewOnes() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int port = Session.freePort();
            Deployment deployment = Running.start(webToApp(port, app), ProxyListener.NOOP);
            Proxy proxy = deployment.proxies().get(loopback(port));
            Thread closing;
            try (Session open = Session.open(loopback(port))) {
                open.roundTrip(21, MIB);
                closing = new Thread(deployment::close, "closing-deployment");
                closing.start();

                Await.until(() -> !proxy.isAccepting(), Duration.ofSeconds(10), () -> "close() began");
                Await.until(() -> refusedQuietly(loopback(port)), Duration.ofSeconds(10), () -> "the bind closed");
                assertTrue(closing.isAlive(), "close() waits for the open connection");
                open.roundTrip(22, MIB);
                open.finish();
            }
            closing.join(TimeUnit.SECONDS.toMillis(20));
            assertTrue(!closing.isAlive(), "close() returned once the connection ended");
            assertEquals(2L * MIB, app.received());
        }
    }

    @Test
    void aDeploymentCanBeClosedTwiceAndNotReloadedAfter() throws Exception {
        int port = Session.freePort();
        String text = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:9000
                """.formatted(port);
        Deployment deployment = Running.start(text, ProxyListener.NOOP);

        deployment.close();
        deployment.close();

        assertTrue(Session.refused(loopback(port)));
        assertThrows(IllegalStateException.class, () -> deployment.reload(Running.file(text)));
    }

    private static boolean refusedQuietly(InetSocketAddress address) {
        try {
            return Session.refused(address);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
