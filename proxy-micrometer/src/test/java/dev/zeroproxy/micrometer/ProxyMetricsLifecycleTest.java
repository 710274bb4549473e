package dev.zeroproxy.micrometer;

import static dev.zeroproxy.micrometer.ProxyMetricsTrafficTest.closedAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.RecordingListener;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Groups, several proxies per frontend, removal, event loops, the configuration generation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyMetricsLifecycleTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final ProxyMetrics metrics = new ProxyMetrics(0);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Meters m = new Meters(registry);

    @Test
    void showsEachServerStateOfAGroupWithOneServerDown() throws Exception {
        InetSocketAddress down = closedAddress();
        Listeners.StateReached bDown = new Listeners.StateReached("b", ServerState.DOWN);
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo()) {
            UpstreamGroup app = UpstreamGroup.builder("app")
                    .server("a", echo.address())
                    .server(ServerSpec.of("b", down).weight(3))
                    .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(50)).fall(1).rise(1).build())
                    .build();
            metrics.addBackend(app);
            metrics.bindTo(registry);
            try (Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(app)
                    .listener(ProxyListener.all(metrics.listener("web"), bDown, events)).start()) {
                metrics.addProxy("web", proxy);
                bDown.await();

                try (Socket held = new Socket()) {
                    held.connect(proxy.localAddress(), 5_000);
                    held.setSoTimeout(10_000);
                    held.getOutputStream().write(7);
                    assertEquals(7, held.getInputStream().read(), "echoed: connected through a");
                    assertEquals(1, m.gauge("zeroproxy.server.connections.active", "backend", "app", "server", "a"));
                }
                EchoTraffic.exchange(proxy.localAddress(), 3, 32 * 1024, 99);
                events.awaitClosed(4, 10);

                for (ServerState state : ServerState.values()) {
                    assertEquals(state == ServerState.DOWN ? 1 : 0, m.gauge("zeroproxy.server.state",
                            "backend", "app", "server", "b", "state", MeterNames.tagValue(state)), "b " + state);
                    assertEquals(state == ServerState.UP ? 1 : 0, m.gauge("zeroproxy.server.state",
                            "backend", "app", "server", "a", "state", MeterNames.tagValue(state)), "a " + state);
                }
                assertEquals(3, m.gauge("zeroproxy.server.weight", "backend", "app", "server", "b"));
                assertEquals(1, m.gauge("zeroproxy.server.weight", "backend", "app", "server", "a"));
                Await.until(() -> m.gauge("zeroproxy.server.connections.active", "backend", "app", "server", "a") == 0,
                        Duration.ofSeconds(10), () -> "a's connections released after their close");
                assertEquals(0, m.gauge("zeroproxy.backend.queued", "backend", "app"));
                assertEquals(4, m.count("zeroproxy.upstream.connect.attempts", "backend", "app", "server", "a"),
                        "a group's servers count under its name and theirs");
                assertEquals(0, m.count("zeroproxy.upstream.connect.failures", "backend", "app", "server", "a"));
                assertEquals(0, m.found("zeroproxy.upstream.connect.attempts", "server", "b"),
                        "b was down before the traffic: never tried");

                metrics.removeBackend("app");

                assertEquals(0, m.found("zeroproxy.server.state", "backend", "app"));
                assertEquals(0, m.found("zeroproxy.backend.queued", "backend", "app"));
                assertEquals(0, m.found("zeroproxy.upstream.connect.attempts", "backend", "app"));
            }
        }
    }

    @Test
    void followsTheServersOfAGroupWhenAddedAgain() throws Exception {
        InetSocketAddress a = closedAddress();
        UpstreamGroup app = UpstreamGroup.builder("app").server("a", a).build();
        metrics.bindTo(registry);
        metrics.addBackend(app);
        app.addServer(ServerSpec.of("c", a));
        app.removeServer("a");

        metrics.addBackend(app);

        assertEquals(0, m.found("zeroproxy.server.weight", "backend", "app", "server", "a"));
        assertEquals(1, m.gauge("zeroproxy.server.state", "backend", "app", "server", "c", "state", "up"));
    }

    @Test
    void dropsTheConnectCountersOfAServerTheGroupNoLongerHas() throws Exception {
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo()) {
            UpstreamGroup app = UpstreamGroup.builder("app").server("a", echo.address()).build();
            metrics.bindTo(registry);
            metrics.addBackend(app);
            try (Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(app)
                    .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
                EchoTraffic.exchange(proxy.localAddress(), 2, 1024, 7);
                events.awaitClosed(2, 10);
                assertEquals(2, m.count("zeroproxy.upstream.connect.attempts", "backend", "app", "server", "a"));

                app.addServer(ServerSpec.of("c", echo.address()));
                app.removeServer("a");
                metrics.addBackend(app);

                assertEquals(0, m.found("zeroproxy.upstream.connect.attempts", "server", "a"),
                        "a removed server's series do not stay for the process's life");
                EchoTraffic.exchange(proxy.localAddress(), 1, 1024, 8);
                events.awaitClosed(3, 10);
                assertEquals(1, m.count("zeroproxy.upstream.connect.attempts", "backend", "app", "server", "c"));
            }
        }
    }

    @Test
    void keepsAFrontendsCountsWhenAProxyGoesAndCountsAMovedProxyOnce() throws Exception {
        metrics.bindTo(registry);
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy first = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                        .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
            Proxy second = Proxy.builder().listen(ANY_LOOPBACK).upstream(echo.address())
                    .listener(ProxyListener.all(metrics.listener("web"), events)).start();
            try {
                moveAProxy(first, second, events);
            } finally {
                second.close();
            }
        }
    }

    private void moveAProxy(Proxy first, Proxy second, RecordingListener events) throws Exception {
        metrics.addProxy("web", first);
        metrics.addProxy("web", second);
        long bytes = EchoTraffic.exchange(first.localAddress(), 2, 16 * 1024, 1)
                + EchoTraffic.exchange(second.localAddress(), 3, 16 * 1024, 2);
        events.awaitClosed(5, 10);
        assertEquals(5, m.count("zeroproxy.connections.accepted", "proxy", "web"));

        second.close();
        metrics.removeProxy("web", second);

        assertEquals(5, m.count("zeroproxy.connections.accepted", "proxy", "web"), "a counter never goes down");
        assertEquals(bytes, m.count("zeroproxy.forwarded", "proxy", "web", "direction", "from_upstream"));
        assertThrows(IllegalStateException.class, () -> metrics.addProxy("api", first),
                "a proxy counts in one frontend at a time");

        metrics.removeProxy("web", first);
        metrics.addProxy("api", first);
        long more = EchoTraffic.exchange(first.localAddress(), 1, 16 * 1024, 3);
        events.awaitClosed(6, 10);

        assertEquals(1, m.count("zeroproxy.connections.accepted", "proxy", "api"), "only what followed the move");
        assertEquals(more, m.count("zeroproxy.forwarded", "proxy", "api", "direction", "from_client"));
        assertEquals(5, m.count("zeroproxy.connections.accepted", "proxy", "web"));
    }

    @Test
    void removingAFrontendRemovesItsMetersAndItsLoops() throws Exception {
        metrics.bindTo(registry);
        try (Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress()).eventLoops(2)
                .listener(metrics.listener("web")).start()) {
            metrics.addProxy("web", proxy);
            String loops = loopGroupTag();
            assertEquals(2, registry.get("netty.eventexecutor.workers").tag("event.loop.group", loops).gauge().value());
            assertEquals(2, m.found("netty.eventexecutor.tasks.pending", "event.loop.group", loops));
            assertTrue(m.found("zeroproxy.connections.closed", "proxy", "web") > 0);

            metrics.removeFrontend("web");

            for (Meter meter : registry.getMeters()) {
                assertTrue(!"web".equals(meter.getId().getTag("proxy")), "left: " + meter.getId());
                assertTrue(!meter.getId().getName().startsWith("netty.eventexecutor"), "left: " + meter.getId());
            }
            assertTrue(m.found("netty.allocator.memory.used") > 0, "the allocator's meters stay");
        }
    }

    @Test
    void bindsTheLoopsOfASharedRuntimeOnce() throws Exception {
        metrics.bindTo(registry);
        try (ProxyRuntime runtime = ProxyRuntime.builder().eventLoops(2).start();
                Proxy web = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress()).runtime(runtime).start();
                Proxy api = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress()).runtime(runtime).start()) {
            metrics.addProxy("web", web);
            metrics.addProxy("api", api);

            assertEquals(1, m.found("netty.eventexecutor.workers"));
            assertEquals(2, m.found("netty.eventexecutor.tasks.pending"));

            metrics.removeFrontend("web");
            assertEquals(1, m.found("netty.eventexecutor.workers"), "api still runs on them");
            metrics.removeFrontend("api");
            assertEquals(0, m.found("netty.eventexecutor.workers"));
        }
    }

    @Test
    void syncFollowsAReloadThatMovesABindAndDropsABackend() throws Exception {
        metrics.bindTo(registry);
        UpstreamGroup app = UpstreamGroup.builder("app").server("a", closedAddress()).build();
        UpstreamGroup other = UpstreamGroup.builder("other").server("o", closedAddress()).build();
        RecordingListener events = new RecordingListener();
        try (Proxy first = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress())
                        .listener(ProxyListener.all(metrics.listener("web"), events)).start();
                Proxy second = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress())
                        .listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
            metrics.sync(Map.of("web", List.of(first, second)), List.of(app, other));
            ProxyMetricsTrafficTest.assertEndsWithoutData(first.localAddress());
            ProxyMetricsTrafficTest.assertEndsWithoutData(second.localAddress());
            events.awaitClosed(2, 10);
            assertEquals(2, m.count("zeroproxy.connections.accepted", "proxy", "web"));

            metrics.sync(Map.of("web", List.of(first), "api", List.of(second)), List.of(app));

            assertEquals(2, m.count("zeroproxy.connections.accepted", "proxy", "web"), "never down");
            assertEquals(0, m.count("zeroproxy.connections.accepted", "proxy", "api"), "only what follows the move");
            assertEquals(1, m.found("zeroproxy.backend.queued", "backend", "app"));
            assertEquals(0, m.found("zeroproxy.backend.queued", "backend", "other"));
            ProxyMetricsTrafficTest.assertEndsWithoutData(second.localAddress());
            events.awaitClosed(3, 10);
            assertEquals(1, m.count("zeroproxy.connections.accepted", "proxy", "api"));

            metrics.sync(Map.of(), List.of());

            for (Meter meter : registry.getMeters()) {
                assertTrue(!meter.getId().getName().startsWith(MeterNames.PREFIX), "left: " + meter.getId());
            }
        }
    }

    @Test
    void reportsTheConfigurationGeneration() throws Exception {
        try (Proxy proxy = Proxy.builder().listen(ANY_LOOPBACK).upstream(closedAddress()).start()) {
            metrics.configGeneration(proxy::generation);
            metrics.bindTo(registry);
            assertEquals(1, m.gauge("zeroproxy.config.generation"));

            proxy.reconfigure(proxy.config());

            assertEquals(2, m.gauge("zeroproxy.config.generation"));
        }
    }

    private String loopGroupTag() {
        return registry.get("netty.eventexecutor.workers").gauge().getId().getTag("event.loop.group");
    }
}
