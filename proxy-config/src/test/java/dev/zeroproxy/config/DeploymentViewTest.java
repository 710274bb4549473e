package dev.zeroproxy.config;

import static dev.zeroproxy.config.DeploymentListenersTest.frontend;
import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a metrics layer or an admin endpoint reads of a running deployment: {@link Deployment#view}
 * (one generation, whole) and, after a reload, the frontends and the stats section the
 * {@link ReloadReport} names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeploymentViewTest {
    private static final String BACKENDS = "backend app\n    server s1 127.0.0.1:9000\n"
            + "backend canary\n    server c1 127.0.0.1:9001\n";

    @Test
    void aViewHasEachFrontendWithItsBindsProxiesEachBackendsGroupAndTheGeneration() throws Exception {
        int web1 = Session.freePort();
        int web2 = Session.freePort();
        int admin = Session.freePort();
        String text = Running.HEAD + """
                frontend web
                    bind 127.0.0.1:%d
                    bind 127.0.0.1:%d
                    default_backend app
                frontend admin
                    bind 127.0.0.1:%d
                    default_backend canary
                """.formatted(web1, web2, admin) + BACKENDS;

        try (Deployment deployment = Running.start(text, ProxyListener.NOOP)) {
            DeploymentView view = deployment.view();

            assertEquals(1, view.generation());
            assertSame(deployment.runtime(), view.runtime());
            assertSame(deployment.file(), view.file());
            assertEquals(List.of("web", "admin"), List.copyOf(view.frontends().keySet()));
            Map<InetSocketAddress, Proxy> proxies = deployment.proxies();
            assertEquals(List.of(new DeploymentView.Bind(loopback(web1), proxies.get(loopback(web1))),
                    new DeploymentView.Bind(loopback(web2), proxies.get(loopback(web2)))),
                    view.frontends().get("web").binds());
            assertEquals("admin", view.frontends().get("admin").name());
            assertEquals(List.of(loopback(admin)), view.frontends().get("admin").binds().stream()
                    .map(DeploymentView.Bind::address).toList());
            assertEquals(deployment.backends(), view.backends());
            assertEquals(List.of("app", "canary"), List.copyOf(view.backends().keySet()));
            assertThrows(UnsupportedOperationException.class, () -> view.frontends().remove("web"));
        }
    }

    @Test
    void aViewStaysTheGenerationItWasTakenInAndTheNextShowsTheReload() throws Exception {
        int web = Session.freePort();
        int admin = Session.freePort();
        String first = Running.HEAD + frontend("web", web) + frontend("admin", admin) + BACKENDS;
        String second = Running.HEAD + frontend("web", web) + BACKENDS.substring(0, BACKENDS.indexOf("backend canary"));

        try (Deployment deployment = Running.start(first, ProxyListener.NOOP)) {
            DeploymentView before = deployment.view();
            ReloadReport report = deployment.reload(Running.file(second));
            DeploymentView after = deployment.view();

            assertEquals(List.of("web", "admin"), List.copyOf(before.frontends().keySet()));
            assertEquals(2, after.generation());
            assertEquals(List.of("web"), List.copyOf(after.frontends().keySet()));
            assertEquals(List.of("app"), List.copyOf(after.backends().keySet()));
            assertSame(before.frontends().get("web").binds().get(0).proxy(),
                    after.frontends().get("web").binds().get(0).proxy(), "a kept bind keeps its proxy");
            assertEquals(List.of("admin"), report.removedFrontends());
            assertEquals(List.of("canary"), report.removedBackends());
        }
    }

    @Test
    void theStatsSectionIsNotRunByTheDeploymentAndAReloadSaysWhenItServesOtherwise() throws Exception {
        int web = Session.freePort();
        int stats = Session.freePort();
        int moved = Session.freePort();
        String tcp = frontend("web", web) + "backend app\n    server s1 127.0.0.1:9000\n";
        String first = Running.HEAD + "listen stats\n    mode http\n    bind 127.0.0.1:" + stats
                + "\n    stats enable\n" + tcp;
        // The same address, path and refresh, written otherwise, under another name.
        String same = Running.HEAD + tcp + "listen admin\n    mode http\n    bind 127.0.0.1:" + stats
                + "\n    stats enable\n    stats uri /stats\n    stats refresh 5s\n";
        String refresh = Running.HEAD + tcp + "listen admin\n    mode http\n    bind 127.0.0.1:" + stats
                + "\n    stats enable\n    stats refresh 30s\n";
        String elsewhere = Running.HEAD + tcp + "listen admin\n    mode http\n    bind 127.0.0.1:" + moved
                + "\n    stats enable\n    stats refresh 30s\n";

        try (Deployment deployment = Running.start(first, ProxyListener.NOOP)) {
            assertTrue(Session.refused(loopback(stats)), "the admin endpoint is not the deployment's to bind");
            assertEquals(List.of("web"), List.copyOf(deployment.view().frontends().keySet()));
            assertEquals(loopback(stats), deployment.file().stats().orElseThrow().address().value());

            ReloadReport unchanged = deployment.reload(Running.file(same));
            ReloadReport longer = deployment.reload(Running.file(refresh));
            ReloadReport movedAway = deployment.reload(Running.file(elsewhere));
            ReloadReport removed = deployment.reload(Running.file(Running.HEAD + tcp));
            ReloadReport added = deployment.reload(Running.file(first));

            assertFalse(unchanged.statsChanged(), unchanged::summary);
            assertEquals("admin", unchanged.stats().orElseThrow().name());
            assertFalse(unchanged.summary().contains("stats"), unchanged::summary);
            assertTrue(longer.statsChanged());
            assertEquals(Duration.ofSeconds(30), longer.stats().orElseThrow().refreshOrDefault());
            assertTrue(longer.summary().endsWith("; stats now 127.0.0.1:" + stats + "/stats, refresh 30s"),
                    longer::summary);
            assertTrue(movedAway.statsChanged());
            assertEquals(loopback(moved), movedAway.stats().orElseThrow().address().value());
            assertTrue(removed.statsChanged());
            assertEquals(Optional.empty(), removed.stats());
            assertTrue(removed.summary().endsWith("; stats removed"), removed::summary);
            assertTrue(added.statsChanged());
            assertEquals(List.of(), added.addedFrontends(), "the stats section is no frontend");
            assertTrue(Session.refused(loopback(moved)));
        }
    }
}
