package dev.zeroproxy;

import java.util.List;

/**
 * One connect attempt of one connection, as {@link Upstream#select} sees it. The upstream
 * answers it exactly once, with {@link #connect} or {@link #refuse}, from any thread: at once,
 * or later (a group whose servers are all at their connection limit queues the attempt until one
 * has room).
 *
 * <p>Implemented by the proxy; thread-safe.
 */
public interface UpstreamAttempt {

    /** The connection this attempt is for: its id and client address (the upstream is not chosen yet). */
    ConnectionInfo connection();

    /** 1 for a connection's first attempt, 2 for its first retry, and so on. */
    int number();

    /** The leases of this connection's earlier attempts, all failed, oldest first: a group tries another server. */
    List<UpstreamLease> failedBefore();

    /**
     * Connect this attempt to {@code lease}'s address. The lease then hears exactly one of
     * {@link UpstreamLease#failed} or {@link UpstreamLease#released}, after
     * {@link UpstreamLease#connected} if the connect succeeded; an attempt already given up
     * (see {@link #isAbandoned}) releases it at once.
     */
    void connect(UpstreamLease lease);

    /** No server can take this attempt (none usable, or a queue timed out): the client is refused with {@code cause}. */
    void refuse(Throwable cause);

    /**
     * Whether the connection no longer wants an answer (its client left, its connect deadline
     * passed, the proxy is closing): a queued attempt may be dropped without one.
     */
    boolean isAbandoned();
}
