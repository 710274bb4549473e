package dev.zeroproxy.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The stats section: a {@code listen} (or {@code frontend}) in {@code mode http} with
 * {@code stats enable}, which ZeroProxy takes as its admin endpoint (/metrics, /stats,
 * /stats.json, /connections) rather than as a frontend of the proxy. At most one per file.
 *
 * <pre>
 * listen stats
 *     mode http
 *     bind 127.0.0.1:8404
 *     stats enable
 *     stats uri /stats
 *     stats refresh 5s
 * </pre>
 *
 * @param name the section's name
 * @param where where the section's header line starts
 * @param address its one bind address; written without a host ({@code :8404}), the loopback
 *     address (127.0.0.1, or ::1 after {@code ipv6@}), unlike HAProxy's every address
 * @param uri {@code stats uri PATH}; null when not written ({@link #DEFAULT_URI} then)
 * @param refresh {@code stats refresh TIME}, 0 for none; null when not written
 *     ({@link #DEFAULT_REFRESH} then)
 */
public record StatsSection(String name, SourcePosition where, Located<InetSocketAddress> address,
        Located<String> uri, Located<Duration> refresh) {
    /** The page's path when {@code stats uri} is not written (HAProxy's is {@code /haproxy?stats}). */
    public static final String DEFAULT_URI = "/stats";
    /** How often the page reloads itself when {@code stats refresh} is not written (HAProxy's: never). */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

    /** Checks the parts. */
    public StatsSection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(address, "address");
    }

    /** The page's path: {@code stats uri}, or {@link #DEFAULT_URI}. */
    public String uriOrDefault() {
        return uri != null ? uri.value() : DEFAULT_URI;
    }

    /** How often the page reloads itself ({@link Duration#ZERO}: never): {@code stats refresh}, or {@link #DEFAULT_REFRESH}. */
    public Duration refreshOrDefault() {
        return refresh != null ? refresh.value() : DEFAULT_REFRESH;
    }

    /**
     * Whether this section serves as {@code other} does: the same address, path and refresh,
     * wherever they are written and whatever the section's name. A reload that keeps them has
     * nothing to change in the admin endpoint.
     */
    public boolean servesAs(StatsSection other) {
        return other != null && address.value().equals(other.address.value())
                && uriOrDefault().equals(other.uriOrDefault()) && refreshOrDefault().equals(other.refreshOrDefault());
    }

    /** Whether two files' stats sections (either absent) serve alike: both absent, or {@link #servesAs}. */
    public static boolean alike(Optional<StatsSection> a, Optional<StatsSection> b) {
        return a.isEmpty() ? b.isEmpty() : a.get().servesAs(b.orElse(null));
    }

    /** {@code 127.0.0.1:8404/stats, refresh 5s}. */
    public String describe() {
        InetSocketAddress at = address.value();
        String host = at.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + at.getPort() + uriOrDefault()
                + ", refresh " + (refreshOrDefault().isZero() ? "none" : TimeText.of(refreshOrDefault()));
    }
}
