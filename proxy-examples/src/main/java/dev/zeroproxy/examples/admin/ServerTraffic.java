package dev.zeroproxy.examples.admin;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Termination;
import dev.zeroproxy.upstream.ServerStateChange;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, per backend and server, what the proxy's counters and a group's server snapshots do
 * not: the bytes each server carried, how its connections ended, the retries it caused, and when
 * it last changed state. A {@link ProxyListener} for the proxies the admin page shows
 * ({@link ProxyListener#all} with the others).
 *
 * <p>Bytes are added when a connection closes ({@link ConnectionSummary} is the only place that
 * has them per connection), so a server's bytes leave out its open connections, where a
 * frontend's (from {@link dev.zeroproxy.ProxyStats}) count them as they flow.
 *
 * <p>Called on the event loops: one map look-up and a few adders per event. The map holds one
 * entry per server ever seen (bounded by the configuration). Thread-safe.
 */
public final class ServerTraffic implements ProxyListener {

    /** A server of a backend; the backend is null for an unnamed upstream. */
    record Key(String backend, String server) { }

    /** One server's counts, added to on the event loops. */
    static final class Counts {
        final LongAdder closed = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder bytesSpliced = new LongAdder();
        final LongAdder connectFailures = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder serverAborts = new LongAdder();
        final LongAdder clientAborts = new LongAdder();
    }

    /** One backend's connections that no server took: no server usable, a queue timeout. */
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final Map<Key, Counts> servers = new ConcurrentHashMap<>();
    private final Map<Key, Instant> lastChange = new ConcurrentHashMap<>();

    /** Counts from now on. */
    public ServerTraffic() { }

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        Counts counts = of(connection);
        if (counts != null) {
            counts.retries.increment();
            counts.connectFailures.increment();
        }
    }

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        Counts counts = of(connection);
        if (counts != null) {
            counts.connectFailures.increment();
        } else {
            refused.computeIfAbsent(String.valueOf(connection.backend()), b -> new LongAdder()).increment();
        }
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        if (summary.connectTime() == null) {
            return; // Never reached a server: counted by upstreamConnectFailed.
        }
        Counts counts = of(connection);
        if (counts == null) {
            return;
        }
        counts.closed.increment();
        counts.bytesIn.add(summary.bytesFromClient());
        counts.bytesOut.add(summary.bytesFromUpstream());
        counts.bytesSpliced.add(summary.bytesSpliced());
        if (summary.termination() == Termination.UPSTREAM_ABORTED) {
            counts.serverAborts.increment();
        } else if (summary.termination() == Termination.CLIENT_ABORTED) {
            counts.clientAborts.increment();
        }
    }

    @Override
    public void serverStateChanged(ServerStateChange change) {
        lastChange.put(new Key(change.group(), change.server()), Instant.now());
    }

    /** The counts of {@code server} of {@code backend} (null for an unnamed upstream), or null if it has none. */
    Counts counts(String backend, String server) {
        return servers.get(new Key(backend, server));
    }

    /** Every server's counts, for a backend without names (a single address). */
    Map<Key, Counts> all() {
        return Map.copyOf(servers);
    }

    /** Connections of {@code backend} that no server took. */
    long refused(String backend) {
        LongAdder count = refused.get(String.valueOf(backend));
        return count == null ? 0 : count.sum();
    }

    /** When {@code server} of {@code backend} last changed state, or null if not since counting began. */
    Instant lastChange(String backend, String server) {
        return lastChange.get(new Key(backend, server));
    }

    /** The counts of the server {@code connection} is about, created at first use; null if it has no server. */
    private Counts of(ConnectionInfo connection) {
        InetSocketAddress address = connection.upstream();
        if (address == null) {
            return null;
        }
        String server = connection.server() != null ? connection.server()
                : address.getHostString() + ":" + address.getPort();
        return servers.computeIfAbsent(new Key(connection.backend(), server), k -> new Counts());
    }

    @Override
    public String toString() {
        return "ServerTraffic" + Objects.toString(servers.keySet());
    }
}
