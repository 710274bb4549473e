package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One server of a group at one moment, as {@link UpstreamGroup#servers()} reports it.
 *
 * @param name the server's name
 * @param address its address
 * @param weight its weight now
 * @param backup whether it is a backup server
 * @param maxConnections its connection limit, 0 for none
 * @param state its state
 * @param activeConnections connections open or being connected to it
 * @param totalConnections connections it carried since the group was built
 * @param failedConnects connect attempts to it that failed since the group was built
 * @param consecutiveFailures failed connect attempts since its last successful one
 * @param lastCheck the last active check, if checks run
 */
public record ServerSnapshot(String name, InetSocketAddress address, int weight, boolean backup, int maxConnections,
        ServerState state, int activeConnections, long totalConnections, long failedConnects, int consecutiveFailures,
        Optional<CheckResult> lastCheck) {
}
