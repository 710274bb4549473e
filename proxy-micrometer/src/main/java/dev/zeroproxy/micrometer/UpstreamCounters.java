package dev.zeroproxy.micrometer;

import dev.zeroproxy.ConnectionInfo;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ServerCounters} of every backend and server the listeners have heard of, shared by
 * all frontends (a backend's servers are the same whichever frontend connects to them, as in
 * HAProxy's and Envoy's per-backend, per-host counters).
 *
 * <p>Tags: a named upstream's {@link ConnectionInfo#backend()} and {@link ConnectionInfo#server()};
 * an unnamed one ({@code Upstream.of}) takes the frontend's name as its backend and the
 * address's {@code host:port} as its server, as HAProxy's {@code listen} section is both. The
 * set is bounded by the configuration; as a guard against an upstream of its own that connects
 * to ever new unnamed addresses, past {@link #MAX_SERVERS} servers the rest are counted
 * together under {@code _other}.
 *
 * <p>The lookup on the event loop is two map reads and allocates nothing; only a server heard
 * of for the first time takes {@link ProxyMetrics}'s lock to register its counters.
 */
final class UpstreamCounters {
    private static final Logger LOGGER = LoggerFactory.getLogger(UpstreamCounters.class);

    /** Most distinct (backend, server) series before the rest are counted as {@code _other}. */
    static final int MAX_SERVERS = 1024;
    static final String OTHER = "_other";

    private final Object lock;
    /** Backend tag, then the server's name or, unnamed, its address. */
    private final Map<String, Map<Object, ServerCounters>> byBackend = new ConcurrentHashMap<>();
    /** Named backends removed: a late event for one (a connection of an older configuration) is not counted. */
    private final Set<String> removedBackends = ConcurrentHashMap.newKeySet();
    private MeterRegistry registry;
    private int servers;
    private ServerCounters overflow;

    UpstreamCounters(Object lock) {
        this.lock = lock;
    }

    /** The counters for the server of {@code connection}'s event; {@code frontend} names an unnamed backend. */
    ServerCounters of(ConnectionInfo connection, String frontend) {
        String backend = connection.backend() != null ? connection.backend() : frontend;
        Object key = connection.server() != null ? connection.server() : connection.upstream();
        Map<Object, ServerCounters> known = byBackend.get(backend);
        ServerCounters counters = known == null ? null : known.get(key);
        return counters != null ? counters : create(backend, key, connection.backend() == null ? frontend : null);
    }

    private ServerCounters create(String backend, Object key, String ownerFrontend) {
        synchronized (lock) {
            Map<Object, ServerCounters> known = byBackend.computeIfAbsent(backend, b -> new ConcurrentHashMap<>());
            ServerCounters counters = known.get(key);
            if (counters != null) {
                return counters;
            }
            if (ownerFrontend == null && removedBackends.contains(backend)) {
                // Counted nowhere: its series were removed with the backend and must not come back.
                return new ServerCounters(backend, serverName(key), null);
            }
            if (servers >= MAX_SERVERS) {
                return overflow();
            }
            counters = new ServerCounters(backend, serverName(key), ownerFrontend);
            known.put(key, counters);
            servers++;
            if (registry != null) {
                counters.register(registry);
            }
            return counters;
        }
    }

    private ServerCounters overflow() {
        if (overflow == null) {
            LOGGER.warn("More than {} upstream servers seen: the connect attempts of further ones are counted"
                    + " under backend and server {} (an upstream that connects to ever new unnamed addresses?"
                    + " name its servers)", MAX_SERVERS, OTHER);
            overflow = new ServerCounters(OTHER, OTHER, null);
            if (registry != null) {
                overflow.register(registry);
            }
        }
        return overflow;
    }

    private static String serverName(Object key) {
        if (key instanceof InetSocketAddress address) {
            return address.getHostString() + ":" + address.getPort();
        }
        return String.valueOf(key);
    }

    /** Registers every counter known, and those to come, with {@code bound}; under the lock. */
    void bindTo(MeterRegistry bound) {
        registry = bound;
        byBackend.values().forEach(known -> known.values().forEach(counters -> counters.register(bound)));
        if (overflow != null) {
            overflow.register(bound);
        }
    }

    /** A backend (re)added: its events count again. Under the lock. */
    void backendAdded(String backend) {
        removedBackends.remove(backend);
    }

    /**
     * Removes the counters of the named backend's servers not in {@code servers} (a reload
     * removed or renamed them), so that their series do not stay for the process's life nor
     * count towards {@link #MAX_SERVERS}. A late event of a removed server (a connection still
     * draining) brings its counters back until the next call. Under the lock.
     */
    void retainServers(String backend, Set<String> servers) {
        Map<Object, ServerCounters> known = byBackend.get(backend);
        if (known == null) {
            return;
        }
        known.entrySet().removeIf(entry -> {
            boolean gone = entry.getValue().ownerFrontend == null && !servers.contains(serverName(entry.getKey()));
            if (gone) {
                if (registry != null) {
                    entry.getValue().meters.removeFrom(registry);
                }
                this.servers--;
            }
            return gone;
        });
    }

    /** Removes the named backend's counters and their meters; under the lock. */
    void removeBackend(String backend) {
        removedBackends.add(backend);
        removeWhere(backend, null);
    }

    /** Removes the counters of the unnamed upstreams {@code frontend} stood in for; under the lock. */
    void removeFrontend(String frontend) {
        removeWhere(frontend, frontend);
    }

    private void removeWhere(String backend, String ownerFrontend) {
        Map<Object, ServerCounters> known = byBackend.get(backend);
        if (known == null) {
            return;
        }
        known.values().removeIf(counters -> {
            boolean match = Objects.equals(counters.ownerFrontend, ownerFrontend);
            if (match) {
                if (registry != null) {
                    counters.meters.removeFrom(registry);
                }
                servers--;
            }
            return match;
        });
        if (known.isEmpty()) {
            byBackend.remove(backend);
        }
    }
}
