package dev.zeroproxy;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A live handle on one proxied connection, from {@link Proxy#connections()}: to look at it and
 * to act on it while it runs.
 *
 * <pre>{@code
 * for (ConnectionHandle c : proxy.connections()) {
 *     ConnectionSnapshot s = c.snapshot().toCompletableFuture().join(); // not on an event loop
 *     if (s.bytesFromUpstream() > 10L << 30) {
 *         c.rateLimit(1 << 20);   // 1 MiB/s each way from now on
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safety: every method may be called from any thread. The actions are carried out on
 * the connection's event loop, in the order they were called, and return at once; on a
 * connection that has ended they do nothing. Nothing here costs the byte path anything while
 * it is not used: a connection never paused or limited runs exactly as without handles.
 */
public interface ConnectionHandle {

    /** The connection's number, as {@link ConnectionInfo#id()}. */
    long id();

    /** The connection as last seen (its upstream set once connected). */
    ConnectionInfo info();

    /** When it was accepted. */
    Instant openedAt();

    /**
     * Its figures, all taken at one instant on its event loop: bytes each way, state, and the
     * kernel's TCP figures where the transport reads them. Completes on that loop; joining it
     * from one of the proxy's own loops can deadlock (compose it instead). Completes
     * exceptionally with {@link IllegalStateException} if the connection has ended.
     */
    CompletionStage<ConnectionSnapshot> snapshot();

    /**
     * Stops reading both sides: what was read is still delivered, then backpressure holds each
     * sender (its socket buffers fill and its writes block). Timeouts still run: a paused
     * connection is idle. Idempotent.
     */
    void pause();

    /** Reads both sides again after {@link #pause()}; idempotent. */
    void resume();

    /**
     * Limits each direction to {@code bytesPerSecond} from now on (0: no limit), averaged over
     * about 100 ms; a direction over it stops reading until it is back under. A kernel splice
     * moves at most what the limit allows per pass.
     *
     * @throws InvalidSettingException if negative
     */
    void rateLimit(long bytesPerSecond);

    /**
     * Ends the connection cleanly: stops reading, delivers to each side what was already read
     * for it, then closes each side with a FIN. Each peer then sees an ordinary end of stream:
     * use it where the protocol makes that safe, {@link #reset()} otherwise. Reported with
     * {@link Termination#CLOSED_BY_OPERATOR}.
     *
     * <p>A side that has not taken its bytes by {@code deadline} (a peer that stopped reading)
     * is reset then, reported with {@link Termination#RESET_BY_OPERATOR}. A connection whose
     * upstream is not connected yet is reset at once: nothing its client sent has reached
     * anyone, and a FIN would read as an empty answer. A peer that is still sending when its
     * socket closes gets a reset from its kernel rather than the FIN (Linux resets a socket
     * closed with unread bytes).
     */
    void close(java.time.Duration deadline);

    /** {@link #close(java.time.Duration)} with a deadline of {@link #CLOSE_DEADLINE}. */
    default void close() {
        close(CLOSE_DEADLINE);
    }

    /** The deadline of {@link #close()}: 10 seconds. */
    java.time.Duration CLOSE_DEADLINE = java.time.Duration.ofSeconds(10);

    /**
     * Cuts the connection: each side gets what was already read for it, then a reset, so
     * neither mistakes the cut stream for a complete one. Reported with
     * {@link Termination#RESET_BY_OPERATOR}.
     */
    void reset();
}
