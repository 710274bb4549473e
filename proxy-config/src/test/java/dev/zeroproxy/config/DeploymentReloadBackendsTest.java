package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.TaggedServer;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Deployment#reload} and what runs behind the binds: servers matched by name, connections
 * open across a reload, the global connection limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentReloadBackendsTest {
    private static final int PAYLOAD = 64 * 1024;

    /** Frontend {@code web} on {@code port} to backend {@code app} with the server lines given. */
    private static String app(int port, String servers) {
        return Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                """.formatted(port) + servers;
    }

    private static String server(String name, TaggedServer server, String options) {
        return "    server " + name + " 127.0.0.1:" + server.address().getPort() + options + "\n";
    }

    @Test
    void aServerMatchedByNameKeepsItsStateAndCountersAndTakesItsNewWeight() throws Exception {
        try (TaggedServer one = TaggedServer.start(1); TaggedServer two = TaggedServer.start(2)) {
            int port = Session.freePort();
            try (Deployment deployment = Running.start(app(port, server("s1", one, "") + server("s2", two, "")),
                    ProxyListener.NOOP)) {
                for (int i = 0; i < 4; i++) {
                    Session.exchange(loopback(port), i, PAYLOAD);
                }
                UpstreamGroup group = deployment.backends().get("app");
                group.disable("s1");
                ServerSnapshot before = snapshot(group, "s1");
                assertEquals(2, before.totalConnections());

                deployment.reload(Running.file(app(port, server("s1", one, " weight 3") + server("s2", two, " weight 5"))));

                assertSame(group, deployment.backends().get("app"), "a kept backend is updated in place");
                ServerSnapshot after = snapshot(group, "s1");
                assertEquals(ServerState.DISABLED, after.state());
                assertEquals(before.totalConnections(), after.totalConnections());
                assertEquals(3, after.weight());
                assertEquals(5, snapshot(group, "s2").weight());
                for (int i = 0; i < 4; i++) {
                    assertEquals(2, Session.exchange(loopback(port), 10 + i, PAYLOAD), "s1 stays disabled");
                }
                assertEquals(2, one.accepted());
                assertEquals(6, two.accepted());
            }
        }
    }

    @Test
    void aServerWhoseAddressChangedIsANewServer() throws Exception {
        try (TaggedServer one = TaggedServer.start(1); TaggedServer moved = TaggedServer.start(3)) {
            int port = Session.freePort();
            try (Deployment deployment = Running.start(app(port, server("s1", one, "")), ProxyListener.NOOP)) {
                assertEquals(1, Session.exchange(loopback(port), 1, PAYLOAD));
                deployment.backends().get("app").disable("s1");

                deployment.reload(Running.file(app(port, server("s1", moved, ""))));

                ServerSnapshot fresh = snapshot(deployment.backends().get("app"), "s1");
                assertEquals(moved.address().getPort(), fresh.address().getPort());
                assertEquals(ServerState.UP, fresh.state());
                assertEquals(0, fresh.totalConnections());
                assertEquals(3, Session.exchange(loopback(port), 2, PAYLOAD));
            }
        }
    }

    @Test
    void connectionsOpenAcrossAReloadStayWithTheirServerAndNewOnesFollowTheNewFile() throws Exception {
        try (TaggedServer app = TaggedServer.start(1); TaggedServer canary = TaggedServer.start(2)) {
            int port = Session.freePort();
            String twoBackends = Running.HEAD + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server app1 127.0.0.1:%d
                    backend canary
                        server canary1 127.0.0.1:%d
                    """.formatted(port, app.address().getPort(), canary.address().getPort());
            try (Deployment deployment = Running.start(twoBackends, ProxyListener.NOOP)) {
                List<Session> before = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        Session session = Session.open(loopback(port));
                        before.add(session);
                        assertEquals(1, session.tag());
                        session.roundTrip(100 + i, PAYLOAD);
                    }

                    deployment.reload(Running.file(twoBackends.replace("default_backend app", "default_backend canary")));

                    assertEquals(2, Session.exchange(loopback(port), 200, PAYLOAD));
                    for (int i = 0; i < before.size(); i++) {
                        before.get(i).roundTrip(300 + i, 4 * PAYLOAD);
                        before.get(i).finish();
                    }
                    assertEquals(2, Session.exchange("127.0.0.2", loopback(port), 201, PAYLOAD));
                } finally {
                    before.forEach(Session::close);
                }
                assertEquals(3, app.accepted());
                assertEquals(3L * 5 * PAYLOAD, app.received(), "every byte of the old connections went to app1");
                assertEquals(2, canary.accepted());
            }
        }
    }

    @Test
    void aLowerGlobalMaxconnHoldsNewClientsUntilOthersClose() throws Exception {
        try (TaggedServer app = TaggedServer.start(1)) {
            int port = Session.freePort();
            String ten = Running.HEAD.replace("nbthread 2", "nbthread 2\n    maxconn 10") + """
                    frontend web
                        bind 127.0.0.1:%d
                        default_backend app
                    backend app
                        server s1 127.0.0.1:%d
                    """.formatted(port, app.address().getPort());
            try (Deployment deployment = Running.start(ten, ProxyListener.NOOP)) {
                List<Session> open = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        open.add(Session.open(loopback(port)));
                        assertEquals(1, open.get(i).tag(), "under maxconn 10 every client is served");
                    }
                    open.forEach(Session::close);
                    open.clear();
                    Await.until(() -> deployment.runtime().openConnections() == 0, Duration.ofSeconds(10),
                            () -> deployment.runtime().openConnections() + " connection(s) still open");

                    deployment.reload(Running.file(ten.replace("maxconn 10", "maxconn 2")));

                    assertEquals(2, deployment.runtime().maxConnections());
                    // One client after the other: the limit pauses the listeners as a connection is
                    // accepted, so clients arriving together may all be taken in one accept batch.
                    for (int i = 0; i < 3; i++) {
                        open.add(Session.open(loopback(port)));
                        if (i < 2) {
                            assertEquals(1, open.get(i).tag());
                        }
                    }
                    Session third = open.get(2);
                    assertThrows(SocketTimeoutException.class, () -> third.readWithin(300),
                            "the third client waits in the backlog");
                    open.get(0).roundTrip(1, PAYLOAD);
                    open.get(0).finish();
                    open.get(0).close();
                    assertEquals(1, third.tag(), "served once a connection closed");
                    third.roundTrip(2, PAYLOAD);
                    third.finish();
                } finally {
                    open.forEach(Session::close);
                }
            }
        }
    }

    private static ServerSnapshot snapshot(UpstreamGroup group, String name) {
        return group.servers().stream().filter(server -> server.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in " + group.servers()));
    }
}
