package dev.zeroproxy.examples.admin;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.examples.forwarder.HostPortConverter;
import dev.zeroproxy.upstream.CheckResult;
import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.netty.util.Version;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Takes a {@link StatsReport} from a {@link StatsSource}, the {@link ServerTraffic} counted for
 * it, and the {@link SessionPeaks}, which each report samples. Called on the admin server's
 * worker thread (the source may block briefly). Thread-safe.
 */
final class StatsCollector {
    /** Found once: Netty reads its version files from the class path. */
    private static final String NETTY_VERSION = nettyVersion();

    private final StatsSource source;
    private final ServerTraffic traffic;
    private final SessionPeaks peaks = new SessionPeaks();

    StatsCollector(StatsSource source, ServerTraffic traffic) {
        this.source = Objects.requireNonNull(source, "source");
        this.traffic = Objects.requireNonNull(traffic, "traffic");
    }

    /** The figures now; samples every peak on the way. */
    StatsReport collect() {
        Instant now = Instant.now();
        List<StatsSource.Frontend> frontends = source.frontends();
        List<ProxyStats> all = new ArrayList<>();
        List<StatsReport.FrontendRow> frontendRows = new ArrayList<>();
        for (StatsSource.Frontend frontend : frontends) {
            frontendRows.add(frontendRow(frontend, all));
        }
        List<StatsReport.BackendRow> backendRows = new ArrayList<>();
        for (StatsSource.Backend backend : source.backends()) {
            backendRows.add(backend.group() != null ? groupRow(backend.group(), now)
                    : addressRow(backend.name(), frontends));
        }
        ProxyStats sum = ProxyStats.sum(all);
        StatsReport.Process process = new StatsReport.Process(version(), NETTY_VERSION,
                System.getProperty("java.version"), ProcessHandle.current().pid(),
                Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()), source.generation(),
                source.transport().name(), source.eventLoops(), sum.activeConnections(), source.maxConnections(),
                sum.directMemoryUsed(), sum.bytesQueued(), sum.memoryBudgetPauses(), now);
        return new StatsReport(process, frontendRows, backendRows);
    }

    private StatsReport.FrontendRow frontendRow(StatsSource.Frontend frontend, List<ProxyStats> all) {
        List<ProxyStats> stats = new ArrayList<>();
        List<StatsReport.Bind> binds = new ArrayList<>();
        int limit = 0;
        boolean unlimited = false;
        for (StatsSource.Bind bind : frontend.binds()) {
            Proxy proxy = bind.proxy();
            stats.add(proxy.stats());
            binds.add(new StatsReport.Bind(HostPortConverter.format(proxy.localAddress()), proxy.isAccepting()));
            int bindLimit = proxy.config().maxConnections();
            unlimited |= bindLimit == 0;
            limit += bindLimit;
        }
        all.addAll(stats);
        ProxyStats sum = ProxyStats.sum(stats);
        Map<String, Long> denied = new LinkedHashMap<>();
        sum.refusedConnections().forEach((reason, count) -> {
            if (count > 0) {
                denied.put(reason.name().toLowerCase(Locale.ROOT), count);
            }
        });
        String mode = "-";
        String upstream = "-";
        if (!frontend.binds().isEmpty()) {
            Proxy first = frontend.binds().get(0).proxy();
            mode = first.config().forwarding().name().toLowerCase(Locale.ROOT);
            Upstream up = first.config().upstream();
            upstream = up.name() != null ? up.name() : up.toString();
        }
        return new StatsReport.FrontendRow(frontend.name(), binds, mode, upstream, sum.activeConnections(),
                peaks.sample(SessionPeaks.frontend(frontend.name()), sum.activeConnections()), unlimited ? 0 : limit,
                sum.acceptedConnections(), sum.bytesFromClients(), sum.bytesFromUpstreams(), sum.bytesSpliced(),
                sum.refusedConnectionsTotal(), denied, sum.upstreamConnectFailures());
    }

    private StatsReport.BackendRow groupRow(UpstreamGroup group, Instant now) {
        String name = group.name();
        List<StatsReport.ServerRow> rows = new ArrayList<>();
        for (ServerSnapshot server : group.servers()) {
            ServerTraffic.Counts counts = traffic.counts(name, server.name());
            Instant changed = traffic.lastChange(name, server.name());
            StatsReport.Check check = server.lastCheck().map(r -> check(r, now)).orElse(null);
            rows.add(new StatsReport.ServerRow(server.name(), HostPortConverter.format(server.address()),
                    server.state().name(), changed == null ? null : Duration.between(changed, now), server.weight(),
                    server.backup(), server.activeConnections(),
                    peaks.sample(SessionPeaks.server(name, server.name()), server.activeConnections()),
                    server.maxConnections(), server.totalConnections(), sum(counts, c -> c.bytesIn),
                    sum(counts, c -> c.bytesOut), sum(counts, c -> c.bytesSpliced), server.failedConnects(),
                    sum(counts, c -> c.serverAborts), sum(counts, c -> c.clientAborts), sum(counts, c -> c.retries),
                    check));
        }
        boolean up = group.servers().stream().anyMatch(s -> s.state().takesConnections());
        int queued = group.queued();
        return new StatsReport.BackendRow(name, group.balance().keyword(), queued,
                peaks.sample(SessionPeaks.queue(name), queued), traffic.refused(name), rows,
                total(name, up ? "UP" : "DOWN", rows));
    }

    /** A backend of one address, without a group: one row, from the traffic of unnamed upstreams. */
    private StatsReport.BackendRow addressRow(String name, List<StatsSource.Frontend> frontends) {
        long current = 0;
        for (StatsSource.Frontend frontend : frontends) {
            for (StatsSource.Bind bind : frontend.binds()) {
                if (!(bind.proxy().config().upstream() instanceof UpstreamGroup)) {
                    current += bind.proxy().stats().activeConnections();
                }
            }
        }
        long closed = 0;
        long in = 0;
        long out = 0;
        long spliced = 0;
        long failures = 0;
        long serverAborts = 0;
        long clientAborts = 0;
        for (Map.Entry<ServerTraffic.Key, ServerTraffic.Counts> entry : traffic.all().entrySet()) {
            if (entry.getKey().backend() == null) {
                ServerTraffic.Counts c = entry.getValue();
                closed += c.closed.sum();
                in += c.bytesIn.sum();
                out += c.bytesOut.sum();
                spliced += c.bytesSpliced.sum();
                failures += c.connectFailures.sum();
                serverAborts += c.serverAborts.sum();
                clientAborts += c.clientAborts.sum();
            }
        }
        StatsReport.ServerRow row = new StatsReport.ServerRow(name, name, "no check", null, 1, false, current,
                peaks.sample(SessionPeaks.server(name, name), current), 0, closed + current, in, out, spliced, failures,
                serverAborts, clientAborts, 0, null);
        return new StatsReport.BackendRow(name, null, 0, 0, traffic.refused(null), List.of(row),
                total(name, "no check", List.of(row)));
    }

    /** The servers' figures together, as HAProxy's BACKEND row; weight counts the servers up. */
    private StatsReport.ServerRow total(String backend, String state, List<StatsReport.ServerRow> rows) {
        long current = 0;
        long total = 0;
        long in = 0;
        long out = 0;
        long spliced = 0;
        long errors = 0;
        long serverAborts = 0;
        long clientAborts = 0;
        long retries = 0;
        int weight = 0;
        for (StatsReport.ServerRow r : rows) {
            current += r.current();
            total += r.total();
            in += r.bytesIn();
            out += r.bytesOut();
            spliced += r.bytesSpliced();
            errors += r.connectErrors();
            serverAborts += r.serverAborts();
            clientAborts += r.clientAborts();
            retries += r.retries();
            weight += r.state().equals("UP") || r.state().equals("no check") ? r.weight() : 0;
        }
        return new StatsReport.ServerRow("BACKEND", null, state, null, weight, false, current,
                peaks.sample(SessionPeaks.backend(backend), current), 0, total, in, out, spliced, errors,
                serverAborts, clientAborts, retries, null);
    }

    private static StatsReport.Check check(CheckResult result, Instant now) {
        return new StatsReport.Check(result.ok(), result.detail(), result.took(), Duration.between(result.at(), now));
    }

    private interface Field {
        java.util.concurrent.atomic.LongAdder of(ServerTraffic.Counts counts);
    }

    private static long sum(ServerTraffic.Counts counts, Field field) {
        return counts == null ? 0 : field.of(counts).sum();
    }

    private static String version() {
        String version = Proxy.class.getPackage().getImplementationVersion();
        return version == null ? "unknown (not run from a jar)" : version;
    }

    private static String nettyVersion() {
        Version netty = Version.identify().get("netty-common");
        return netty == null ? "unknown" : netty.artifactVersion();
    }
}
