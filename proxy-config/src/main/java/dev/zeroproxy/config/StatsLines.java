package dev.zeroproxy.config;

import java.time.Duration;

/**
 * Reads the {@code stats} lines ZeroProxy has, in a {@code frontend} or {@code listen}:
 * {@code stats enable}, {@code stats uri PATH} and {@code stats refresh TIME}. Whether the
 * section may be the stats section (its mode, its other lines) is decided once it is whole
 * ({@link StatsChecks}); HAProxy's other {@code stats} keywords are refused by
 * {@link KeywordErrors}.
 */
final class StatsLines {
    static final String URI = "a path starting with /, such as /stats";
    private static final String REFRESH = "0 (no refresh) or whole seconds from 1s to 1h, such as 5s or 1m";

    private final ProxySection section;

    StatsLines(ProxySection section) {
        this.section = section;
    }

    /** Reads the line if its keyword is one of ours that starts with {@code stats}; false if not. */
    boolean read(Statement line) {
        switch (line.keyword()) {
            case "stats enable" -> {
                if (line.atMost(0, "'stats enable' alone")) {
                    section.statsEnable = new Located<>(true, line.keyword(), line.where());
                }
            }
            case "stats uri" -> section.statsUri = LastWins.apply(line.onlyValue("path", URI, StatsLines::uri),
                    section.statsUri);
            case "stats refresh" -> section.statsRefresh = LastWins.apply(line.onlyValue("time", REFRESH,
                    StatsLines::refresh), section.statsRefresh);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A time the page's refresh can take: whole seconds are what a browser's refresh counts in. */
    private static Parsed<Duration> refresh(String text) {
        Parsed<Duration> time = Values.time(text);
        if (!time.ok()) {
            return time;
        }
        Duration value = time.value();
        if (!value.isZero() && value.compareTo(Duration.ofSeconds(1)) < 0) {
            return Parsed.wrong("'" + text + "' is under a second, which a page cannot refresh at", REFRESH);
        }
        if (value.toNanos() % 1_000_000_000L != 0) {
            return Parsed.wrong("'" + text + "' is not whole seconds, which is what a page's refresh counts in", REFRESH);
        }
        if (value.compareTo(Duration.ofHours(1)) > 0) {
            return Parsed.wrong("'" + text + "' is over an hour", REFRESH);
        }
        return time;
    }

    /**
     * A path, as the admin endpoint matches it: absolute, without a query or fragment (HAProxy
     * takes any prefix, {@code /haproxy?stats} included; ours is a path the endpoint serves).
     */
    private static Parsed<String> uri(String text) {
        if (!text.startsWith("/")) {
            return Parsed.wrong("'" + text + "' is not a path: it does not start with /", URI);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '?' || c == '#') {
                return Parsed.wrong("'" + c + "' in a stats uri: a query or fragment is not supported",
                        URI + ", without ? or #", i);
            }
            if (c <= ' ' || c == 0x7f) {
                return Parsed.wrong("a control character or blank in a stats uri", URI, i);
            }
        }
        return Parsed.of(text);
    }
}
