package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.RecordingListener;
import dev.zeroproxy.testkit.TaggedServer;
import dev.zeroproxy.upstream.ServerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listener per frontend ({@link Deployment#start(ProxyFile, ProxyListener, Function)}): each
 * frontend's connections go to its own, asked for once when the frontend first runs; server state
 * changes go once to the servers' listener, never to a frontend's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentListenersTest {
    private static final int KIB = 1024;

    /** Records which frontends were asked for, and hands each a recording listener. */
    static final class PerFrontend implements Function<String, ProxyListener> {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final Map<String, RecordingListener> listeners = new ConcurrentHashMap<>();

        @Override
        public ProxyListener apply(String frontend) {
            asked.add(frontend);
            RecordingListener listener = new RecordingListener();
            listeners.put(frontend, listener);
            return listener;
        }

        int closed(String frontend) {
            return listeners.get(frontend).of("closed").size();
        }
    }

    @Test
    void eachFrontendsConnectionsGoToItsOwnListenerAskedForOnceWhateverItsBinds() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int web1 = Session.freePort();
            int web2 = Session.freePort();
            int admin = Session.freePort();
            PerFrontend perFrontend = new PerFrontend();
            RecordingListener servers = new RecordingListener();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d,127.0.0.1:%d
                        default_backend app
                    frontend admin
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d
                    """.formatted(web1, web2, admin, app.address().getPort());

            try (Deployment deployment = Deployment.start(Running.file(text), servers, perFrontend)) {
                Session.exchange(loopback(web1), 1, KIB);
                Session.exchange(loopback(web2), 2, KIB);
                Session.exchange(loopback(admin), 3, KIB);
                perFrontend.listeners.get("web").awaitClosed(2, 10);
                perFrontend.listeners.get("admin").awaitClosed(1, 10);

                assertEquals(List.of("web", "admin"), perFrontend.asked);
                assertEquals(2, perFrontend.closed("web"));
                assertEquals(1, perFrontend.closed("admin"));
                assertEquals(List.of(), servers.all(), "the servers' listener hears no connection");
            }
        }
    }

    @Test
    void aServerStateChangeIsHeardOnceByTheServersListenerAndByNoFrontend() throws Exception {
        int web = Session.freePort();
        int admin = Session.freePort();
        int dead = Session.freePort();
        PerFrontend perFrontend = new PerFrontend();
        RecordingListener servers = new RecordingListener();
        String text = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                frontend admin
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:%d check inter 50ms fall 1
                """.formatted(web, admin, dead);

        try (Deployment deployment = Deployment.start(Running.file(text), servers, perFrontend)) {
            Await.until(() -> servers.stateChanges().stream().anyMatch(c -> c.to() == ServerState.DOWN),
                    Duration.ofSeconds(10), () -> "s1 goes down: " + servers.stateChanges());

            assertEquals(1, servers.stateChanges().stream().filter(c -> c.to() == ServerState.DOWN).count(),
                    servers.stateChanges()::toString);
            assertEquals("app", servers.stateChanges().get(0).group());
            perFrontend.listeners.values().forEach(listener -> assertEquals(List.of(), listener.stateChanges()));
        }
    }

    @Test
    void theOneListenerStartHearsEveryConnectionAndEachStateChangeOnce() throws Exception {
        int web = Session.freePort();
        int admin = Session.freePort();
        int dead = Session.freePort();
        RecordingListener listener = new RecordingListener();
        String text = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                frontend admin
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    server s1 127.0.0.1:%d check inter 50ms fall 1
                """.formatted(web, admin, dead);

        try (Deployment deployment = Deployment.start(Running.file(text), listener)) {
            Await.until(() -> !listener.stateChanges().isEmpty(), Duration.ofSeconds(10), () -> "s1 goes down");
            // A few more checks: a second report of the same change would have come by now.
            Thread.sleep(300);

            assertEquals(1, listener.stateChanges().stream().filter(c -> c.to() == ServerState.DOWN).count(),
                    listener.stateChanges()::toString);
        }
    }

    @Test
    void theTwoArgumentStartGivesEachFrontendItsListenerAndNoFrontendTheStateChanges() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int web = Session.freePort();
            PerFrontend perFrontend = new PerFrontend();
            String text = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d
                    """.formatted(web, app.address().getPort());

            try (Deployment deployment = Deployment.start(Running.file(text), perFrontend)) {
                assertEquals(1, Session.exchange(loopback(web), 4, KIB));
                perFrontend.listeners.get("web").awaitClosed(1, 10);

                assertEquals(List.of("web"), perFrontend.asked);
            }
        }
    }

    @Test
    void aReloadAsksOnlyForTheFrontendsItAddsAndMovesABindToItsNewFrontendsListener() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int web = Session.freePort();
            int admin = Session.freePort();
            int extra = Session.freePort();
            String backend = "backend app\n    server s1 127.0.0.1:" + app.address().getPort() + "\n";
            String first = Running.HEAD + frontend("web", web) + frontend("admin", admin) + backend;
            // admin's bind moves to a new frontend, ops; extra is new; admin is gone.
            String second = Running.HEAD + frontend("web", web) + frontend("ops", admin) + frontend("extra", extra)
                    + backend;
            PerFrontend perFrontend = new PerFrontend();

            try (Deployment deployment = Deployment.start(Running.file(first), ProxyListener.NOOP, perFrontend)) {
                ReloadReport report = deployment.reload(Running.file(second));
                Session.exchange(loopback(web), 5, KIB);
                Session.exchange(loopback(admin), 6, KIB);
                Session.exchange(loopback(extra), 7, KIB);
                perFrontend.listeners.get("ops").awaitClosed(1, 10);
                perFrontend.listeners.get("extra").awaitClosed(1, 10);
                perFrontend.listeners.get("web").awaitClosed(1, 10);

                assertEquals(List.of("web", "admin", "ops", "extra"), perFrontend.asked);
                assertEquals(0, perFrontend.closed("admin"), "the moved bind reports to its new frontend's listener");
                assertEquals(List.of("ops", "extra"), report.addedFrontends());
                assertEquals(List.of("admin"), report.removedFrontends());
                assertEquals(List.of("web"), report.keptFrontends());
                assertTrue(report.summary().contains("; frontends added [ops, extra], removed [admin]"),
                        report::summary);

                // Removed, then added again: a new frontend, asked for again.
                deployment.reload(Running.file(Running.HEAD + frontend("web", web) + backend));
                deployment.reload(Running.file(first));
                assertEquals(List.of("web", "admin", "ops", "extra", "admin"), perFrontend.asked);
            }
        }
    }

    @Test
    void aReloadThatFailsDropsTheListenersItAskedForAndTheNextAsksAgain() throws Exception {
        try (TaggedServer app = TaggedServer.start(1);
                java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int web = Session.freePort();
            int extra = Session.freePort();
            String backend = "backend app\n    server s1 127.0.0.1:" + app.address().getPort() + "\n";
            PerFrontend perFrontend = new PerFrontend();

            try (Deployment deployment = Deployment.start(Running.file(Running.HEAD + frontend("web", web) + backend),
                    ProxyListener.NOOP, perFrontend)) {
                assertThrows(ConfigException.class, () -> deployment.reload(Running.file(Running.HEAD
                        + frontend("web", web) + frontend("extra", extra) + frontend("late", taken.getLocalPort())
                        + backend)));
                deployment.reload(Running.file(Running.HEAD + frontend("web", web) + frontend("extra", extra)
                        + backend));
                Session.exchange(loopback(extra), 8, KIB);
                perFrontend.listeners.get("extra").awaitClosed(1, 10);

                assertEquals(List.of("web", "extra", "late", "extra"), perFrontend.asked);
                assertEquals(1, perFrontend.closed("extra"));
            }
        }
    }

    @Test
    void aNullListenerFailsTheStartNamingTheFrontendAndLeavesNothingRunning() throws Exception {
        Set<String> before = Running.libraryThreads();
        int web = Session.freePort();
        ProxyFile file = Running.file(Running.HEAD + frontend("web", web) + "backend app\n    server s1 127.0.0.1:9000\n");

        NullPointerException thrown = assertThrows(NullPointerException.class,
                () -> Deployment.start(file, name -> null));

        assertTrue(thrown.getMessage().contains("returned null for frontend web"), thrown::getMessage);
        assertTrue(Session.refused(loopback(web)));
        Await.until(() -> before.containsAll(Running.libraryThreads()), Duration.ofSeconds(10),
                () -> "the loops stopped: " + Running.libraryThreads());
    }

    static String frontend(String name, int port) {
        return "frontend " + name + "\n    bind 127.0.0.1:" + port + "\n    default_backend app\n";
    }
}
