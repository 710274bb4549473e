package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerStateChange;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a proxy lends the upstreams it starts: its loops and transport, and the listener and
 * connect timeout of its configuration as it is now, read at each use rather than at the start.
 * An upstream kept across {@code Proxy.reconfigure} (a group updated in place) then reports its
 * servers to the listener the proxy has now, and queues with its connect timeout, not those of
 * the configuration it was started under.
 */
final class CurrentRuntime implements UpstreamRuntime {
    private final EventLoopGroup eventLoops;
    private final Transport transport;
    private final Supplier<ProxyConfig> current;
    private final ProxyListener listener = new ProxyListener() {
        @Override
        public void connectionOpened(ConnectionInfo connection) {
            now().connectionOpened(connection);
        }

        @Override
        public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
            now().upstreamAttemptFailed(connection, cause);
        }

        @Override
        public void upstreamConnected(ConnectionInfo connection) {
            now().upstreamConnected(connection);
        }

        @Override
        public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
            now().upstreamConnectFailed(connection, cause);
        }

        @Override
        public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
            now().connectionClosed(connection, summary);
        }

        @Override
        public void connectionRefused(ConnectionRefusal refusal) {
            now().connectionRefused(refusal);
        }

        @Override
        public void serverStateChanged(ServerStateChange change) {
            now().serverStateChanged(change);
        }

        private ProxyListener now() {
            return current.get().listener();
        }

        @Override
        public String toString() {
            return "the proxy's current listener (" + now() + ")";
        }
    };

    /** @param current the configuration whose listener and connect timeout apply now */
    CurrentRuntime(EventLoopGroup eventLoops, Transport transport, Supplier<ProxyConfig> current) {
        this.eventLoops = eventLoops;
        this.transport = transport;
        this.current = current;
    }

    @Override
    public EventLoopGroup eventLoops() {
        return eventLoops;
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public ProxyListener listener() {
        return listener;
    }

    @Override
    public Duration connectTimeout() {
        return current.get().connectTimeout();
    }
}
