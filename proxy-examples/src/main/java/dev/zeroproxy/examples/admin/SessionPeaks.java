package dev.zeroproxy.examples.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most sessions each frontend, backend and server was seen holding at once. The proxy keeps
 * no peak of its own, so this one is sampled (at each stats request and once a second by the
 * admin server): a burst shorter than a second between two samples is missed, so a peak here is
 * never above the true one and may be below it. Thread-safe.
 */
final class SessionPeaks {
    private final Map<String, Long> peaks = new ConcurrentHashMap<>();

    /** Records that {@code key} holds {@code current} now; returns its peak, this sample included. */
    long sample(String key, long current) {
        return peaks.merge(key, current, Math::max);
    }

    /** The key of a frontend's peak. */
    static String frontend(String name) {
        return "frontend\u0000" + name;
    }

    /** The key of a backend's peak (its servers' sessions together). */
    static String backend(String name) {
        return "backend\u0000" + name;
    }

    /** The key of a backend's queue's peak. */
    static String queue(String backend) {
        return "queue\u0000" + backend;
    }

    /** The key of a server's peak. */
    static String server(String backend, String server) {
        return "server\u0000" + backend + "\u0000" + server;
    }
}
