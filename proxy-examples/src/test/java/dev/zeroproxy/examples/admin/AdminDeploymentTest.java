package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.config.ConfigParser;
import dev.zeroproxy.config.Deployment;
import dev.zeroproxy.testkit.FreePorts;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin server over a configuration file's {@link Deployment}: two frontends (one with two
 * binds), two backends, each server's traffic where the file put it; after a reload that adds a
 * server, the next request shows it and generation 2. Real sockets on 127.0.0.1.
 */
@Timeout(60)
class AdminDeploymentTest {

    @Test
    void showsEveryFrontendAndBackendOfTheFileAndFollowsAReload() throws Exception {
        List<Integer> ports = FreePorts.outsideEphemeralRange(3);
        ServerTraffic traffic = new ServerTraffic();
        Semaphore closed = new Semaphore(0);
        ProxyListener counting = new ProxyListener() {
            @Override
            public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
                closed.release();
            }
        };
        HttpClient http = HttpClient.newHttpClient();
        try (AdminFixture.CountingEcho a1 = new AdminFixture.CountingEcho();
                AdminFixture.CountingEcho a2 = new AdminFixture.CountingEcho();
                AdminFixture.CountingEcho c1 = new AdminFixture.CountingEcho();
                Deployment deployment = Deployment.start(ConfigParser.parse("t.cfg",
                        file(ports, a1, a2, c1, false)), ProxyListener.all(traffic, counting));
                AdminServer admin = AdminServer.builder(StatsSource.of(deployment)).traffic(traffic).start()) {
            AdminFixture.exchange(new InetSocketAddress("127.0.0.1", ports.get(0)), 1, 5000);
            AdminFixture.exchange(new InetSocketAddress("127.0.0.1", ports.get(1)), 2, 7000);
            AdminFixture.exchange(new InetSocketAddress("127.0.0.1", ports.get(2)), 3, 11_000);
            assertTrue(closed.tryAcquire(3, 15, TimeUnit.SECONDS));

            Object json = TinyJson.parse(get(http, admin, "/stats.json"));
            assertEquals(1L, (long) TinyJson.get(json, "process", "generation"));
            assertEquals("web", TinyJson.get(json, "frontends", 0, "name"));
            assertEquals(2, ((List<?>) TinyJson.get(json, "frontends", 0, "binds")).size(), "web's two binds");
            assertEquals(12_000L, (long) TinyJson.get(json, "frontends", 0, "bytes", "in"), "web's binds together");
            assertEquals("canary", TinyJson.get(json, "frontends", 1, "name"));
            assertEquals(11_000L, (long) TinyJson.get(json, "frontends", 1, "bytes", "out"));
            assertEquals("app", TinyJson.get(json, "backends", 0, "name"));
            assertEquals(a1.received.get() + a2.received.get(),
                    (long) TinyJson.get(json, "backends", 0, "total", "bytes", "in"));
            Map<String, Object> canary = TinyJson.get(json, "backends", 1, "servers", 0);
            assertEquals("c1", canary.get("name"));
            assertEquals(11_000L, (long) TinyJson.get(canary, "bytes", "out"));
            assertEquals(1L, (long) TinyJson.get(canary, "sessions", "total"));

            deployment.reload(ConfigParser.parse("t.cfg", file(ports, a1, a2, c1, true)));
            Object reloaded = TinyJson.parse(get(http, admin, "/stats.json"));
            assertEquals(2L, (long) TinyJson.get(reloaded, "process", "generation"));
            assertEquals("c2", TinyJson.get(reloaded, "backends", 1, "servers", 1, "name"), "the server added");
            assertEquals(11_000L, (long) TinyJson.get(reloaded, "backends", 1, "servers", 0, "bytes", "out"),
                    "c1 kept its counts across the reload");
            assertTrue(get(http, admin, "/stats").contains("data-server=\"c2\""));
        }
    }

    private static String file(List<Integer> ports, AdminFixture.CountingEcho a1, AdminFixture.CountingEcho a2,
            AdminFixture.CountingEcho c1, boolean withC2) {
        return String.join("\n",
                "defaults", "    mode tcp", "    timeout connect 2s", "    timeout client 1m", "    timeout server 1m",
                "frontend web",
                "    bind 127.0.0.1:" + ports.get(0),
                "    bind 127.0.0.1:" + ports.get(1),
                "    default_backend app",
                "frontend canary",
                "    bind 127.0.0.1:" + ports.get(2),
                "    default_backend canary",
                "backend app",
                "    server a1 " + hostPort(a1),
                "    server a2 " + hostPort(a2),
                "backend canary",
                "    server c1 " + hostPort(c1),
                withC2 ? "    server c2 " + hostPort(a1) : "",
                "");
    }

    private static String hostPort(AdminFixture.CountingEcho echo) {
        return "127.0.0.1:" + echo.server.address().getPort();
    }

    private static String get(HttpClient http, AdminServer admin, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + admin.localAddress().getPort() + path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
