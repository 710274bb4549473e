package dev.zeroproxy.upstream;

/**
 * Where a server of an {@link UpstreamGroup} stands. Only an {@link #UP} server takes new
 * connections; in every state, connections already open go on (unless the group closes those
 * of a server marked down, see {@link UpstreamGroup.Builder#closeConnectionsOnDown}).
 */
public enum ServerState {
    /** Takes new connections. The state a server starts in. */
    UP,
    /** Failed {@code fall} active checks in a row; back up after {@code rise} successes. */
    DOWN,
    /** Failed connects in a row (passive ejection); back after its ejection time. */
    EJECTED,
    /** Drained by the operator: no new connections, open ones finish. */
    DRAINING,
    /** Disabled by the operator (maintenance): no new connections, no checks counted, open ones finish. */
    DISABLED,
    /** Removed by the operator: gone from the group; its open connections finish on it. */
    REMOVED;

    /** Whether a server in this state takes new connections. */
    public boolean takesConnections() {
        return this == UP;
    }
}
