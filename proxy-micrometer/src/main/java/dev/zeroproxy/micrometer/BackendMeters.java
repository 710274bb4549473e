package dev.zeroproxy.micrometer;

import dev.zeroproxy.upstream.ServerSnapshot;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * One upstream group's gauges (tag {@code backend}): its queue, and per server its state (one
 * 1/0 series per {@link ServerState}, as HAProxy's {@code haproxy_server_status}), its open
 * connections and its weight, all read from one {@link UpstreamGroup#servers()} snapshot per
 * scrape. The servers are those the group had at the last {@link #refresh}: one added later has
 * no gauges until then, one removed reads NaN until then.
 */
final class BackendMeters {
    private static final ServerState[] STATES = ServerState.values();

    final UpstreamGroup group;
    private final Tags tags;
    private final Memo<Map<String, ServerSnapshot>> snapshot;
    private final MeterSet groupMeters = new MeterSet();
    /** The gauges of each server registered, by its name. */
    private final Map<String, MeterSet> serverMeters = new HashMap<>();

    BackendMeters(UpstreamGroup group, long memoTtlNanos) {
        this.group = group;
        this.tags = Tags.of(MeterNames.BACKEND, group.name());
        this.snapshot = new Memo<>(this::servers, memoTtlNanos);
    }

    private Map<String, ServerSnapshot> servers() {
        Map<String, ServerSnapshot> byName = new LinkedHashMap<>();
        for (ServerSnapshot server : group.servers()) {
            byName.put(server.name(), server);
        }
        return byName;
    }

    /** Registers gauges for the servers the group has now and removes those of servers gone. Under the lock. */
    void refresh(MeterRegistry registry) {
        snapshot.invalidate();
        if (registry == null) {
            return;
        }
        if (groupMeters.isEmpty()) {
            groupMeters.add(Gauge.builder(MeterNames.BACKEND_QUEUED, group, UpstreamGroup::queued)
                    .tags(tags)
                    .description("Connections waiting for a server of the backend with room")
                    .strongReference(true)
                    .register(registry));
        }
        Set<String> now = new HashSet<>(servers().keySet());
        serverMeters.entrySet().removeIf(entry -> {
            boolean gone = !now.contains(entry.getKey());
            if (gone) {
                entry.getValue().removeFrom(registry);
            }
            return gone;
        });
        for (String server : now) {
            serverMeters.computeIfAbsent(server, name -> register(registry, name));
        }
    }

    private MeterSet register(MeterRegistry registry, String server) {
        MeterSet meters = new MeterSet();
        Tags serverTags = tags.and(MeterNames.SERVER, server);
        for (ServerState state : STATES) {
            meters.add(gauge(registry, MeterNames.SERVER_STATE, serverTags.and(MeterNames.STATE,
                    MeterNames.tagValue(state)), "1 for the server's state now, 0 for the others",
                    s -> s.state() == state ? 1 : 0, server));
        }
        meters.add(gauge(registry, MeterNames.SERVER_ACTIVE, serverTags,
                "Connections open or being connected to the server", ServerSnapshot::activeConnections, server));
        meters.add(gauge(registry, MeterNames.SERVER_WEIGHT, serverTags, "The server's weight now",
                ServerSnapshot::weight, server));
        return meters;
    }

    private Gauge gauge(MeterRegistry registry, String meter, Tags meterTags, String help,
            ToDoubleFunction<ServerSnapshot> read, String server) {
        return Gauge.builder(meter, this, backend -> {
            ServerSnapshot now = backend.snapshot.get().get(server);
            return now == null ? Double.NaN : read.applyAsDouble(now);
        }).tags(meterTags).description(help).strongReference(true).register(registry);
    }

    /** Removes every gauge. Under the lock. */
    void removeFrom(MeterRegistry registry) {
        if (registry != null) {
            groupMeters.removeFrom(registry);
            serverMeters.values().forEach(meters -> meters.removeFrom(registry));
        }
        serverMeters.clear();
    }
}
