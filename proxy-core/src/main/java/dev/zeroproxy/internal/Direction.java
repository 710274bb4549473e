package dev.zeroproxy.internal;

/** The two directions of a relay, named for where the bytes come from. */
enum Direction {
    /** Client to upstream: the request side. */
    FROM_CLIENT,
    /** Upstream to client: the response side. */
    FROM_UPSTREAM
}
