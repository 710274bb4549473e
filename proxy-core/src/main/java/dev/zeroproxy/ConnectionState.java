package dev.zeroproxy;

/** Where a live connection is in its life, as {@link ConnectionSnapshot#state()} reports it. */
public enum ConnectionState {
    /** Accepted; the upstream is being chosen or connected (bytes the client sends are held). */
    CONNECTING,
    /** Both directions are open and forwarding. */
    FORWARDING,
    /** One direction has ended (its source sent EOF); the other still forwards. */
    HALF_CLOSED,
    /** The pair is ending (both directions done, reset, timed out or cut); it leaves the list shortly. */
    CLOSING
}
