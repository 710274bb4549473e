package dev.zeroproxy.examples.admin;

import dev.zeroproxy.ConnectionHandle;
import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSnapshot;
import dev.zeroproxy.TcpInfo;
import dev.zeroproxy.examples.forwarder.HostPortConverter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code /connections}: the live connections of every frontend, sorted by id, at most
 * {@code limit} of them, each as its {@link ConnectionHandle#snapshot()} (taken on its own event
 * loop). The snapshots are composed, never joined: the list completes when the last one has
 * answered (or after {@link #SNAPSHOT_TIMEOUT}, leaving out those that did not), so no thread
 * waits on an event loop. Stateless.
 */
final class ConnectionList {
    /** Connections listed when the request does not say. */
    static final int DEFAULT_LIMIT = 1000;
    /** The most a request may ask for: a response of about 600 bytes each, 6 MB at most. */
    static final int MAX_LIMIT = 10_000;
    /** How long a snapshot may take before the list goes out without it. */
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(5);

    /** One connection of one frontend. */
    private record Entry(String frontend, int order, ConnectionHandle handle) { }

    private ConnectionList() { }

    /**
     * Picks the connections now (call it off the event loops: it copies every frontend's list)
     * and completes, on {@code worker}, with the JSON once their snapshots are in.
     */
    static CompletableFuture<String> render(StatsSource source, int limit, Executor worker) {
        List<Entry> all = new ArrayList<>();
        int order = 0;
        for (StatsSource.Frontend frontend : source.frontends()) {
            for (StatsSource.Bind bind : frontend.binds()) {
                for (ConnectionHandle handle : bind.proxy().connections()) {
                    all.add(new Entry(frontend.name(), order, handle));
                }
                order++;
            }
        }
        // Ids are per proxy: the same id on two binds is told apart by the bind's order.
        all.sort(Comparator.comparingLong((Entry e) -> e.handle().id()).thenComparingInt(Entry::order));
        List<Entry> shown = all.subList(0, Math.min(limit, all.size()));
        List<CompletableFuture<ConnectionSnapshot>> snapshots = new ArrayList<>(shown.size());
        for (Entry entry : shown) {
            snapshots.add(entry.handle().snapshot().toCompletableFuture()
                    .exceptionally(ended -> null) // Closed since it was listed: left out.
                    .completeOnTimeout(null, SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        int total = all.size();
        return CompletableFuture.allOf(snapshots.toArray(CompletableFuture[]::new))
                .thenApplyAsync(done -> json(total, limit, shown, snapshots), worker);
    }

    private static String json(int total, int limit, List<Entry> shown,
            List<CompletableFuture<ConnectionSnapshot>> snapshots) {
        JsonWriter json = new JsonWriter();
        json.beginObject().name("total").value(total).name("limit").value(limit).name("connections").beginArray();
        int listed = 0;
        for (int i = 0; i < shown.size(); i++) {
            ConnectionSnapshot snapshot = snapshots.get(i).getNow(null);
            if (snapshot != null) {
                connection(json, shown.get(i).frontend(), snapshot);
                listed++;
            }
        }
        return json.endArray().name("listed").value(listed).endObject().toString();
    }

    private static void connection(JsonWriter json, String frontend, ConnectionSnapshot s) {
        ConnectionInfo c = s.connection();
        json.beginObject().name("frontend").value(frontend).name("id").value(c.id())
                .name("client").value(address(c.client()))
                .name("original_client").value(address(c.originalClient()))
                .name("original_destination").value(address(c.originalDestination().orElse(null)))
                .name("backend").value(c.backend()).name("server").value(c.server())
                .name("upstream").value(address(c.upstream()))
                .name("state").value(s.state().name()).name("age_ms").value(s.age().toMillis())
                .name("bytes_from_client").value(s.bytesFromClient())
                .name("bytes_from_upstream").value(s.bytesFromUpstream())
                .name("bytes_spliced").value(s.bytesSpliced()).name("spliced_share").value(s.splicedShare())
                .name("paused").value(s.paused()).name("rate_limit").value(s.rateLimit());
        tcp(json.name("client_tcp"), s.clientTcp());
        tcp(json.name("upstream_tcp"), s.upstreamTcp());
        json.endObject();
    }

    private static void tcp(JsonWriter json, Optional<TcpInfo> info) {
        if (info.isEmpty()) {
            json.nullValue();
            return;
        }
        TcpInfo t = info.get();
        json.beginObject().name("rtt_us").value(t.rtt().toNanos() / 1000)
                .name("rtt_var_us").value(t.rttVariance().toNanos() / 1000)
                .name("retransmits").value(t.retransmits()).name("lost").value(t.lost())
                .name("unacked").value(t.unacked()).name("cwnd").value(t.congestionWindow())
                .name("send_mss").value(t.sendMss()).endObject();
    }

    private static String address(InetSocketAddress address) {
        return address == null ? null : HostPortConverter.format(address);
    }
}
