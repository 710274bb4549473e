package dev.zeroproxy.micrometer;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyListener;

/**
 * What {@link ProxyMetrics#listener(String)} returns: counts each closed connection by its
 * termination and records its duration on the frontend's meters, and each connect attempt on
 * its server's. Called on the event loops, once per connection event and never per byte: an
 * array slot, a {@code LongAdder} increment, a histogram record, two map reads.
 */
final class FrontendListener implements ProxyListener {
    private final FrontendMeters frontend;
    private final UpstreamCounters upstreams;

    FrontendListener(FrontendMeters frontend, UpstreamCounters upstreams) {
        this.frontend = frontend;
        this.upstreams = upstreams;
    }

    @Override
    public void upstreamConnected(ConnectionInfo connection) {
        if (!frontend.isRemoved() && connection.upstream() != null) {
            upstreams.of(connection, frontend.name).connected();
        }
    }

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        attemptFailed(connection);
    }

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        // Without an upstream the upstream refused before any attempt (no server usable, a queue
        // timed out): no server to count it on; the connection's termination counts it.
        attemptFailed(connection);
    }

    private void attemptFailed(ConnectionInfo connection) {
        if (!frontend.isRemoved() && connection.upstream() != null) {
            upstreams.of(connection, frontend.name).failed();
        }
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        frontend.closed(summary);
    }

    @Override
    public String toString() {
        return "ProxyMetrics.listener(" + frontend.name + ")";
    }
}
