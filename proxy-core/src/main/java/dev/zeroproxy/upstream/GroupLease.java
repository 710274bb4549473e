package dev.zeroproxy.upstream;

import dev.zeroproxy.UpstreamLease;
import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One connection slot on one server of a group, for one connect attempt: it keeps the server's
 * connection count, tells the group each outcome (for passive ejection and the wait queue), and,
 * once connected, lets the group cut the connection (drain deadline, close on down).
 * Used on the connection's event loop.
 */
final class GroupLease implements UpstreamLease {
    private final UpstreamGroup group;
    private final GroupServer server;
    private Runnable cut;

    GroupLease(UpstreamGroup group, GroupServer server) {
        this.group = group;
        this.server = server;
    }

    GroupServer server() {
        return server;
    }

    @Override
    public String serverName() {
        return server.name();
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void connected(Runnable cutConnection) {
        cut = cutConnection;
        server.connected(cutConnection);
        group.connectSucceeded(server);
    }

    @Override
    public void failed(Throwable cause) {
        server.connectFailed();
        server.release();
        group.connectFailed(server, cause);
    }

    @Override
    public void released() {
        if (cut != null) {
            server.disconnected(cut);
        }
        server.release();
        group.slotFreed(server);
    }

    @Override
    public InetAddress sourceAddress() {
        return server.spec().sourceAddress().orElse(null);
    }

    @Override
    public ProxyProtocolSend sendProxyProtocol() {
        return server.sendProxyProtocol() != null ? server.sendProxyProtocol() : group.sendProxyProtocol().orElse(null);
    }

    @Override
    public String toString() {
        return "lease on " + server;
    }
}
