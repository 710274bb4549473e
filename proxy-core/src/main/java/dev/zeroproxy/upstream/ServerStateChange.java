package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A server of an upstream group changed state, as {@link dev.zeroproxy.ProxyListener#serverStateChanged}
 * hears it.
 *
 * @param group the group's name
 * @param server the server's name
 * @param address the server's address
 * @param from the state it left
 * @param to the state it entered
 * @param reason why, in words (e.g. "3 consecutive checks failed: connection refused", "drained by the operator")
 */
public record ServerStateChange(
        String group, String server, InetSocketAddress address, ServerState from, ServerState to, String reason) {
    /** Checks that no component is null. */
    public ServerStateChange {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return group + "/" + server + " (" + address.getHostString() + ":" + address.getPort() + "): " + from + " -> "
                + to + ", " + reason;
    }
}
