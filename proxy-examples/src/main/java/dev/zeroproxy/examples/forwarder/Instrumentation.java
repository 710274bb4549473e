package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.config.Deployment;
import dev.zeroproxy.config.DeploymentView;
import dev.zeroproxy.config.ReloadReport;
import dev.zeroproxy.config.StatsSection;
import dev.zeroproxy.examples.admin.AdminOptions;
import dev.zeroproxy.examples.admin.StatsSource;
import dev.zeroproxy.micrometer.ProxyMetrics;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Everything the forwarder hears and shows besides forwarding, for one run of {@code forward}
 * or {@code run}: the access log and metrics of each frontend, the admin endpoint (whose
 * {@code /metrics} is the only reader of the metrics, so they are kept only when it runs), the
 * live line, and the flight recording. Its commands call it in order: {@link #open}, then
 * {@link #frontend}/{@link #servers} for the listeners, {@link #started} once the proxies run,
 * {@link #serve} for the run itself, {@link #reloaded} after each reload, and {@link #close}.
 */
final class Instrumentation implements AutoCloseable {
    private final ObservabilityOptions options;
    private final AdminOptions admin;
    private final AccessLogOutput accessLog;
    private final FlightRecording recording;
    private final ProxyMetrics metrics;

    private Instrumentation(ObservabilityOptions options, AdminOptions admin, AccessLogOutput accessLog,
            FlightRecording recording, ProxyMetrics metrics) {
        this.options = options;
        this.admin = admin;
        this.accessLog = accessLog;
        this.recording = recording;
        this.metrics = metrics;
    }

    /**
     * Opens what must exist before anything is bound, so that a path that cannot be written is a
     * usage error with nothing left running: the access log's file and the recording's.
     * {@code stats} is the configuration file's admin endpoint, if any.
     */
    static Instrumentation open(CommandSpec spec, ObservabilityOptions options, AdminOptions admin,
            Optional<StatsSection> stats, boolean reloadable) {
        Path jfr = options.jfr();
        stats.ifPresent(section -> admin.fromFile(endpointOf(section)));
        if (admin.refreshGiven() && !admin.enabled()) {
            throw new ParameterException(spec.commandLine(), "--stats-refresh: there is no admin endpoint to refresh"
                    + " (expected: with --admin" + (reloadable ? ", or a stats section in the file)" : ")"));
        }
        if (reloadable) {
            // A reload may add the endpoint: count from the start, so that it shows the whole run.
            admin.countAlways();
        }
        AccessLogOutput accessLog = options.openAccessLog(spec);
        FlightRecording recording = null;
        if (jfr != null) {
            try {
                recording = FlightRecording.start(jfr);
            } catch (IllegalArgumentException e) {
                if (accessLog != null) {
                    accessLog.close();
                }
                throw new ParameterException(spec.commandLine(), "--jfr: " + e.getMessage()
                        + " (expected: a file in a directory that exists, writable)");
            }
        }
        ProxyMetrics metrics = null;
        if (admin.enabled() || reloadable) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = new ProxyMetrics();
            metrics.bindTo(registry);
            admin.metrics(registry::scrape);
        }
        return new Instrumentation(options, admin, accessLog, recording, metrics);
    }

    private static AdminOptions.FileEndpoint endpointOf(StatsSection section) {
        return new AdminOptions.FileEndpoint(section.address().value(), section.refreshOrDefault(),
                section.uriOrDefault());
    }

    /** The listener of the frontend {@code name}: its access log, its metrics, the admin's counts. */
    ProxyListener frontend(String name) {
        return ProxyListener.all(options.accessLogOf(name), metrics == null ? ProxyListener.NOOP : metrics.listener(name),
                admin.traffic());
    }

    /** The upstream groups' listener: {@code base} (the forwarder's log of state changes) and the admin's counts. */
    ProxyListener servers(ProxyListener base) {
        return admin.listener(base);
    }

    /** {@code forward}'s proxy runs: its meters, and the admin endpoint over it. */
    void started(String frontend, Proxy proxy, UpstreamGroup group) {
        if (metrics != null) {
            metrics.addProxy(frontend, proxy);
            if (group != null) {
                metrics.addBackend(group);
            }
            metrics.configGeneration(proxy::generation);
        }
        admin.start(StatsSource.of(frontend, proxy), proxy);
    }

    /** {@code run}'s deployment runs: the meters of its frontends and backends, and the admin endpoint. */
    void started(Deployment deployment) {
        if (metrics != null) {
            syncMetrics(deployment.view());
            metrics.configGeneration(deployment::generation);
        }
        admin.start(StatsSource.of(deployment), deployment);
    }

    /** A reload changed the deployment: meters follow, and the admin endpoint moves if its section changed. */
    void reloaded(Deployment deployment, ReloadReport report) {
        if (metrics != null) {
            syncMetrics(deployment.view());
        }
        if (report.statsChanged()) {
            admin.reloaded(report.stats().map(Instrumentation::endpointOf).orElse(null), StatsSource.of(deployment));
        }
    }

    private void syncMetrics(DeploymentView view) {
        Map<String, List<Proxy>> byFrontend = new LinkedHashMap<>();
        view.frontends().forEach((name, frontend) -> {
            List<Proxy> proxies = new ArrayList<>();
            frontend.binds().forEach(bind -> proxies.add(bind.proxy()));
            byFrontend.put(name, proxies);
        });
        metrics.sync(byFrontend, view.backends().values());
    }

    /** Runs {@code serving} (the command's wait for its signals), with the live line if asked for. */
    int serve(Supplier<ProxyStats> figures, IntSupplier serving) {
        return options.withStats(figures, serving);
    }

    /** Stops the admin endpoint now (if one runs); idempotent, {@link #close()} does it too. */
    void closeAdminEndpoint() {
        admin.close();
    }

    /**
     * After the drain: the admin endpoint stops, the access log's last lines are written and the
     * recording is written to its file.
     */
    @Override
    public void close() {
        try {
            admin.close();
            if (accessLog != null) {
                accessLog.close();
            }
        } finally {
            if (recording != null) {
                recording.close();
            }
        }
    }
}
