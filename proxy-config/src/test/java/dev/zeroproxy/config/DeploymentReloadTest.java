package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.TaggedServer;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Deployment#reload} and the listening sockets: kept, opened, removed, or left as they
 * were when the new file cannot be applied.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentReloadTest {
    private static final int PAYLOAD = 64 * 1024;

    /** One frontend on {@code port} to backend {@code backend}, whose one server is on {@code serverPort}. */
    private static String oneFrontend(int port, String backend, int serverPort) {
        return Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend %s
                backend %s
                    server s1 127.0.0.1:%d
                """.formatted(port, backend, backend, serverPort);
    }

    @Test
    void aKeptBindKeepsItsListeningChannelsAndServesThroughout() throws Exception {
        try (TaggedServer one = TaggedServer.start(1); TaggedServer two = TaggedServer.start(2)) {
            int port = Session.freePort();
            try (Deployment deployment = Running.start(oneFrontend(port, "app", one.address().getPort()),
                    ProxyListener.NOOP)) {
                Proxy proxy = deployment.proxies().get(loopback(port));
                List<Channel> before = Running.listening(proxy);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger served = new AtomicInteger();
                AtomicInteger servedByTwo = new AtomicInteger();
                ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
                Thread clients = new Thread(() -> {
                    for (int i = 0; i < 5_000 && !stop.get(); i++) {
                        try {
                            int tag = Session.exchange(loopback(port), i, 4096);
                            served.incrementAndGet();
                            if (tag == 2) {
                                servedByTwo.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                }, "clients-through-reloads");
                clients.start();
                try {
                    for (int reload = 0; reload < 4; reload++) {
                        int waitFor = served.get() + 5;
                        Await.until(() -> served.get() >= waitFor || !failures.isEmpty(), Duration.ofSeconds(20),
                                () -> "clients served");
                        TaggedServer next = reload % 2 == 0 ? two : one;
                        deployment.reload(Running.file(oneFrontend(port, "app", next.address().getPort())));
                        assertSame(proxy, deployment.proxies().get(loopback(port)));
                        assertEquals(before, Running.listening(proxy));
                        for (int i = 0; i < before.size(); i++) {
                            assertSame(before.get(i), Running.listening(proxy).get(i), "the very same channel");
                        }
                    }
                    int waitFor = served.get() + 5;
                    Await.until(() -> served.get() >= waitFor || !failures.isEmpty(), Duration.ofSeconds(20),
                            () -> "clients served");
                } finally {
                    stop.set(true);
                    clients.join(TimeUnit.SECONDS.toMillis(30));
                }
                assertTrue(failures.isEmpty(), () -> "a client failed during reloads: " + failures.peek());
                assertTrue(servedByTwo.get() > 0 && servedByTwo.get() < served.get(),
                        () -> servedByTwo + " of " + served + " by the server the reloads switched between");
                assertEquals(5, proxy.generation());
                assertTrue(before.stream().allMatch(Channel::isActive));
            }
        }
    }

    @Test
    void aRemovedBindFinishesItsConnectionsAndRefusesNewOnesWhileTheNewBindServes() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int old = Session.freePort();
            int fresh = Session.freePort();
            try (Deployment deployment = Running.start(oneFrontend(old, "app", app.address().getPort()),
                    ProxyListener.NOOP)) {
                Proxy removed = deployment.proxies().get(loopback(old));
                try (Session draining = Session.open(loopback(old))) {
                    draining.roundTrip(31, PAYLOAD);

                    ReloadReport report = deployment.reload(Running.file(oneFrontend(fresh, "app",
                            app.address().getPort())));

                    assertEquals(List.of(loopback(fresh)), report.openedBinds());
                    assertEquals(List.of(loopback(old)), report.closedBinds());
                    // isAccepting() turns false as the close begins; the socket closes just after.
                    Await.until(() -> !removed.isAccepting() && refusedQuietly(loopback(old)), Duration.ofSeconds(10),
                            () -> "the removed bind refuses new clients");
                    assertEquals(1, Session.exchange(loopback(fresh), 32, PAYLOAD));
                    draining.roundTrip(33, PAYLOAD);
                    draining.finish();
                }
                Await.until(() -> removed.stats().activeConnections() == 0, Duration.ofSeconds(10),
                        () -> "the drained connection ended");
                assertEquals(Set.of(loopback(fresh)), deployment.proxies().keySet());
                assertEquals(3L * PAYLOAD, app.received());
            }
        }
    }

    @Test
    void aReloadWhoseNewBindCannotListenChangesNothing() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        AtomicReference<CountDownLatch> checksAfterFailure = new AtomicReference<>(new CountDownLatch(0));
        try (TaggedServer app = TaggedServer.start(1);
                LoopbackServer checked = LoopbackServer.start(socket -> {
                    checks.incrementAndGet();
                    checksAfterFailure.get().countDown();
                });
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int kept = Session.freePort();
            int removed = Session.freePort();
            int opened = Session.freePort();
            String first = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    frontend old
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d
                    """.formatted(kept, removed, app.address().getPort());
            String second = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend extra
                    frontend new
                        bind 127.0.0.1:%d
                        bind 127.0.0.1:%d
                        default_backend extra
                    backend extra
                        server e1 127.0.0.1:%d check inter 20ms
                    """.formatted(kept, opened, taken.getLocalPort(), checked.address().getPort());
            try (Deployment deployment = Running.start(first, ProxyListener.NOOP)) {
                Map<InetSocketAddress, Proxy> proxies = deployment.proxies();
                ProxyFile running = deployment.file();

                ConfigException refused = assertThrows(ConfigException.class,
                        () -> deployment.reload(Running.file(second)));

                CountDownLatch more = new CountDownLatch(2);
                checksAfterFailure.set(more);
                assertEquals(new SourcePosition(Running.FILE, Running.lineOf(second, ":" + taken.getLocalPort()), 10),
                        refused.errors().get(0).where(), refused::getMessage);
                assertEquals(1, deployment.generation());
                assertSame(running, deployment.file());
                assertEquals(proxies, deployment.proxies());
                assertEquals(Set.of("app"), deployment.backends().keySet());
                assertTrue(Session.refused(loopback(opened)), "the bind opened by the failed reload is closed again");
                // The removed bind was still open: binds open before any closes.
                assertEquals(1, Session.exchange(loopback(removed), 41, PAYLOAD));
                assertEquals(1, Session.exchange(loopback(kept), 42, PAYLOAD));
                assertEquals(1, proxies.get(loopback(kept)).generation());
                // The new backend's checks (every 20 ms) stopped: at most one in flight lands later.
                assertFalse(more.await(400, TimeUnit.MILLISECONDS),
                        () -> "the failed reload's backend still checks: " + checks + " check(s)");
            }
        }
    }

    @Test
    void aFileWithErrorsChangesNothingAndSaysWhere() throws Exception {
        try (TaggedServer app = TaggedServer.start(1); TaggedServer other = TaggedServer.start(2)) {
            int port = Session.freePort();
            int added = Session.freePort();
            try (Deployment deployment = Running.start(oneFrontend(port, "app", app.address().getPort()),
                    ProxyListener.NOOP)) {
                String misspelt = oneFrontend(port, "app", other.address().getPort()).replace("default_backend app",
                        "default_backend ap") + "frontend more\n    bind 127.0.0.1:" + added + "\n    default_backend app\n";
                String refusedByTheLibrary = oneFrontend(port, "app", other.address().getPort())
                        .replace(":" + other.address().getPort(), ":" + other.address().getPort() + " weight 0");

                ConfigException parse = assertThrows(ConfigException.class,
                        () -> deployment.reload(ConfigParser.parse(Running.FILE, misspelt)));
                ConfigException check = assertThrows(ConfigException.class,
                        () -> deployment.reload(ConfigParser.parse(Running.FILE, refusedByTheLibrary)));

                assertEquals(new SourcePosition(Running.FILE, Running.lineOf(misspelt, "default_backend ap"), 21),
                        parse.errors().get(0).where(), parse::getMessage);
                assertEquals("weight", check.errors().get(0).keyword());
                assertEquals(Running.lineOf(refusedByTheLibrary, "weight 0"), check.errors().get(0).where().line());
                assertEquals(1, deployment.generation());
                assertTrue(Session.refused(loopback(added)));
                assertEquals(1, Session.exchange(loopback(port), 51, PAYLOAD));
            }
        }
    }

    @Test
    void aChangeOfLoopCountIsRefusedAtNbthread() {
        int port = freePort();
        // Running on one loop more than the processors, so that a file without nbthread (the
        // processors' count) asks for another count too.
        int running = Runtime.getRuntime().availableProcessors() + 1;
        String text = oneFrontend(port, "app", 9000).replace("nbthread 2", "nbthread " + running);
        try (Deployment deployment = Running.start(text, ProxyListener.NOOP)) {
            String three = text.replace("nbthread " + running, "nbthread " + (running + 1));
            String none = text.replace("global\n    nbthread " + running + "\n", "");

            ConfigError changed = onlyError(() -> deployment.reload(Running.file(three)));
            ConfigError removed = onlyError(() -> deployment.reload(Running.file(none)));

            assertEquals(new SourcePosition(Running.FILE, 2, 14), changed.where());
            assertEquals("nbthread", changed.keyword());
            assertTrue(changed.problem().contains("changes only at a restart"), changed::toString);
            assertEquals("nbthread", removed.keyword());
            assertEquals(1, deployment.generation());
        }
    }

    @Test
    void aChangeOfTransportIsRefusedAtTransport() {
        int port = freePort();
        String nio = "global\n    transport nio\n" + oneFrontend(port, "app", 9000);
        try (Deployment deployment = Running.start(nio, ProxyListener.NOOP)) {
            ConfigError changed = onlyError(() -> deployment.reload(Running.file(nio.replace("transport nio",
                    "transport epoll"))));

            assertEquals(new SourcePosition(Running.FILE, 2, 15), changed.where());
            assertEquals("transport", changed.keyword());
            assertEquals(1, deployment.generation());
        }
    }

    @Test
    void removingTheTransportLineIsRefusedWhenTheDefaultIsAnotherTransport() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.zeroproxy.Transport.best().name().equals("nio"),
                "nio is the best transport here: removing 'transport nio' changes nothing");
        int port = freePort();
        String withoutTransport = oneFrontend(port, "app", 9000);
        try (Deployment deployment = Running.start("global\n    transport nio\n" + withoutTransport,
                ProxyListener.NOOP)) {
            ConfigError removed = onlyError(() -> deployment.reload(Running.file(withoutTransport)));

            assertEquals("transport", removed.keyword());
            assertTrue(removed.problem().contains("nio"), removed::toString);
            assertEquals(1, deployment.generation());
            assertEquals("nio", deployment.runtime().transport().name());
        }
    }

    @Test
    void aChangeOfForwardingOnAKeptBindIsRefusedAtForwardingButAllowedOnANewBind() {
        int port = freePort();
        int other = freePort();
        String copy = oneFrontend(port, "app", 9000).replace("    default_backend app",
                "    default_backend app\n    forwarding copy");
        try (Deployment deployment = Running.start(copy, ProxyListener.NOOP)) {
            String auto = copy.replace("forwarding copy", "forwarding auto");
            org.junit.jupiter.api.Assumptions.assumeTrue(deployment.runtime().transport()
                    .supports(dev.zeroproxy.Forwarding.AUTO), "the transport here has no splice");

            ConfigError changed = onlyError(() -> deployment.reload(Running.file(auto)));

            assertEquals(new SourcePosition(Running.FILE, Running.lineOf(auto, "forwarding auto"), 16), changed.where());
            assertEquals("forwarding", changed.keyword());
            assertEquals(1, deployment.generation());
            ReloadReport moved = deployment.reload(Running.file(auto.replace(":" + port, ":" + other)));
            assertEquals(List.of(loopback(other)), moved.openedBinds());
        }
    }

    @Test
    void generationsCountAndReportsListWhatChanged() throws Exception {
        int web = freePort();
        int admin = freePort();
        String first = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:9000
                """.formatted(web);
        String second = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                frontend admin
                    bind 127.0.0.1:%d
                    default_backend canary
                backend app
                    server s1 127.0.0.1:9000
                backend canary
                    server c1 127.0.0.1:9001
                """.formatted(web, admin);
        String third = Running.HEAD + """
                frontend admin
                    bind 127.0.0.1:%d
                    default_backend canary
                backend canary
                    server c1 127.0.0.1:9001
                """.formatted(admin);
        try (Deployment deployment = Running.start(first, ProxyListener.NOOP)) {
            assertEquals(1, deployment.generation());

            ReloadReport two = deployment.reload(Running.file(second));
            ReloadReport three = deployment.reload(Running.file(third));

            assertEquals(new ReloadReport(2, List.of(loopback(admin)), List.of(), List.of(loopback(web)),
                    List.of("canary"), List.of(), List.of("app"), List.of("admin"), List.of(), List.of("web"),
                    Optional.empty(), false), two);
            assertEquals(new ReloadReport(3, List.of(), List.of(loopback(web)), List.of(loopback(admin)),
                    List.of(), List.of("app"), List.of("canary"), List.of(), List.of("web"), List.of("admin"),
                    Optional.empty(), false), three);
            assertEquals(3, deployment.generation());
            assertEquals(Map.of(loopback(admin), "admin"), deployment.frontends());
            assertEquals(Set.of("canary"), deployment.backends().keySet());
            assertTrue(three.summary().startsWith("generation 3: 0 bind(s) opened"), three::summary);
        }
    }

    private static ConfigError onlyError(org.junit.jupiter.api.function.Executable reload) {
        ConfigException refused = assertThrows(ConfigException.class, reload);
        assertEquals(1, refused.errors().size(), refused::getMessage);
        return refused.errors().get(0);
    }

    private static boolean refusedQuietly(InetSocketAddress address) {
        try {
            return Session.refused(address);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try {
            return Session.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
