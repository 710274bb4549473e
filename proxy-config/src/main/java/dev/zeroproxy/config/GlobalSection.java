package dev.zeroproxy.config;

import java.time.Duration;

/**
 * The {@code global} section; each setting null when not written.
 *
 * @param maxConn {@code maxconn}: connections at once over all frontends
 * @param nbThread {@code nbthread}: event loop threads, shared by every frontend
 * @param transport ZeroProxy's {@code transport nio|epoll|io_uring}
 * @param hardStopAfter {@code hard-stop-after}: how long a stop (or a removed frontend) drains
 */
public record GlobalSection(Located<Integer> maxConn, Located<Integer> nbThread, Located<String> transport,
        Located<Duration> hardStopAfter) {
    /** A file without a global section. */
    public static final GlobalSection NONE = new GlobalSection(null, null, null, null);
}
