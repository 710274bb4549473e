package dev.zeroproxy.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.PrometheusText;
import dev.zeroproxy.testkit.RecordingListener;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The text a Prometheus server scrapes, read back by another implementation's parser. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrometheusScrapeTest {
    private static final int CONNECTIONS = 5;

    @Test
    void scrapedTextParsesWithConventionalNamesAndExactValues() throws Exception {
        PrometheusText.assumeParser();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProxyMetrics metrics = new ProxyMetrics(0);
        metrics.bindTo(registry);
        RecordingListener events = new RecordingListener();
        try (LoopbackServer echo = LoopbackServer.echo()) {
            UpstreamGroup app = UpstreamGroup.builder("app").server("a", echo.address()).build();
            metrics.addBackend(app);
            try (Proxy proxy = Proxy.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .upstream(app).listener(ProxyListener.all(metrics.listener("web"), events)).start()) {
                metrics.addProxy("web", proxy);
                metrics.configGeneration(proxy::generation);
                long bytes = EchoTraffic.exchange(proxy.localAddress(), CONNECTIONS, 100 * 1024, 5);
                events.awaitClosed(CONNECTIONS, 10);
                // The gauges fall as the sockets finish closing, just after the close is reported.
                Await.until(() -> proxy.stats().activeConnections() == 0 && proxy.stats().openChannels() == 0
                        && app.servers().get(0).activeConnections() == 0, Duration.ofSeconds(10),
                        () -> "every connection gone: " + proxy.stats());

                List<PrometheusText.Sample> samples = PrometheusText.parse(registry.scrape());

                assertEquals(CONNECTIONS, value(samples, "zeroproxy_connections_accepted_total", "proxy=web"));
                assertEquals(CONNECTIONS, value(samples, "zeroproxy_connections_closed_total",
                        "proxy=web,termination=completed"));
                assertEquals(0, value(samples, "zeroproxy_connections_closed_total", "proxy=web,termination=idle_timeout"));
                assertEquals(0, value(samples, "zeroproxy_connections_refused_total", "proxy=web,reason=denied"));
                assertEquals(0, value(samples, "zeroproxy_connections_active", "proxy=web"));
                assertEquals(0, value(samples, "zeroproxy_server_connections_active", "backend=app,server=a"));
                assertEquals(bytes, value(samples, "zeroproxy_forwarded_bytes_total", "direction=from_client,proxy=web"));
                assertEquals(bytes, value(samples, "zeroproxy_forwarded_bytes_total", "direction=from_upstream,proxy=web"));
                assertEquals(2 * bytes, value(samples, "zeroproxy_spliced_bytes_total", "proxy=web")
                        + value(samples, "zeroproxy_copied_bytes_total", "proxy=web"));
                assertEquals(CONNECTIONS, value(samples, "zeroproxy_connection_duration_seconds_count", "proxy=web"));
                assertEquals(CONNECTIONS, value(samples, "zeroproxy_connection_duration_seconds_bucket",
                        "le=+Inf,proxy=web"));
                assertEquals(MeterNames.DURATION_BUCKETS.length + 1, samples.stream()
                        .filter(s -> s.name().equals("zeroproxy_connection_duration_seconds_bucket")).count(),
                        "the explicit buckets and +Inf, no more");
                assertEquals("histogram", family(samples, "zeroproxy_connection_duration_seconds_bucket").type());
                assertEquals("counter", family(samples, "zeroproxy_connections_accepted_total").type());
                assertEquals(CONNECTIONS, value(samples, "zeroproxy_upstream_connect_attempts_total", "backend=app,server=a"));
                assertEquals(0, value(samples, "zeroproxy_upstream_connect_failures_total", "backend=app,server=a"));
                assertEquals(1, value(samples, "zeroproxy_server_state", "backend=app,server=a,state=up"));
                assertEquals(0, value(samples, "zeroproxy_server_state", "backend=app,server=a,state=down"));
                assertEquals(1, value(samples, "zeroproxy_server_weight", "backend=app,server=a"));
                assertEquals(1, value(samples, "zeroproxy_config_generation", ""));

                Set<String> names = samples.stream().map(PrometheusText.Sample::name).collect(Collectors.toCollection(TreeSet::new));
                for (String netty : List.of("netty_eventexecutor_workers", "netty_eventexecutor_tasks_pending",
                        "netty_allocator_memory_used", "netty_allocator_pooled_arenas")) {
                    assertTrue(names.contains(netty), netty + " missing from " + names);
                }
                for (PrometheusText.Sample sample : samples) {
                    assertTrue(!sample.labels().contains("127.0.0.1") || sample.name().startsWith("netty"),
                            "no client address as a label: " + sample);
                }
            }
        }
    }

    private static double value(List<PrometheusText.Sample> samples, String name, String labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .map(PrometheusText.Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + "{" + labels + "} in "
                        + samples.stream().filter(s -> s.name().equals(name)).toList()));
    }

    private static PrometheusText.Sample family(List<PrometheusText.Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
