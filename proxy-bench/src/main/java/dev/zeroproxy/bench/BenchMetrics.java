package dev.zeroproxy.bench;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.micrometer.ProxyMetrics;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A ZeroProxy path metered as the forwarder meters its proxy ({@code -p metrics=on}): the
 * {@link ProxyMetrics} listener on every connection, its meters bound to a Prometheus registry,
 * the upstream group's gauges when there is a group, and one scrape per JMH iteration (as a
 * Prometheus server scraping every 15 s would, give or take), outside the measured operations
 * and on the benchmark's thread, so that the proxy's CPU figures show what metering costs the
 * proxy's own threads.
 */
final class BenchMetrics implements AutoCloseable {
    /** The frontend name of the metered path. */
    static final String FRONTEND = "bench";

    private final ProxyMetrics metrics = new ProxyMetrics();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private int scrapes;

    BenchMetrics() {
        metrics.bindTo(registry);
    }

    /** The listener to give the proxy before it starts. */
    ProxyListener listener() {
        return metrics.listener(FRONTEND);
    }

    /** Meters the started proxy's counters and, for a group, its servers. */
    void meter(Proxy proxy, Upstream upstream) {
        metrics.addProxy(FRONTEND, proxy);
        if (upstream instanceof UpstreamGroup group) {
            metrics.addBackend(group);
        }
    }

    /**
     * Renders every meter as Prometheus text, as a scrape does.
     *
     * @throws IllegalStateException if the text lacks the proxy's meters (a scrape that measured nothing)
     */
    void scrape() {
        String text = registry.scrape();
        if (!text.contains("zeroproxy_connections_accepted_total{proxy=\"" + FRONTEND + "\"}")) {
            throw new IllegalStateException("the scrape lacks the proxy's meters:\n" + text);
        }
        scrapes++;
    }

    /** Scrapes so far. */
    int scrapes() {
        return scrapes;
    }

    @Override
    public void close() {
        registry.close();
    }
}
