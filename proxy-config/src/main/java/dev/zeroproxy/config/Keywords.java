package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What ZeroProxy reads in each section, in the order the error messages list it, and how many
 * words of a line make its keyword ({@code timeout connect}, {@code tcp-request connection},
 * {@code no option redispatch}).
 *
 * <p>Everything else is an error: a keyword of HAProxy that changes nothing for a TCP relay
 * would still mislead whoever reads the file into thinking it does something.
 */
final class Keywords {
    /** Frontend settings a {@code defaults} section may carry. */
    private static final List<String> FRONTEND_SETTINGS = List.of("maxconn", "timeout client",
            "timeout client-fin", "default_backend", "forwarding", "splice-threshold");
    /** Backend settings a {@code defaults} section may carry. */
    private static final List<String> BACKEND_SETTINGS = List.of("balance", "retries", "option redispatch",
            "no option redispatch", "timeout connect", "timeout server", "timeout server-fin", "timeout tunnel",
            "timeout queue", "timeout check", "source", "default-server");

    private static final Map<SectionKind, Set<String>> SUPPORTED = new EnumMap<>(SectionKind.class);
    /** Every keyword known, of HAProxy or ours, in any section: what decides how many words a keyword has. */
    private static final Set<String> KNOWN = new HashSet<>();
    /** First words of keywords of several words ({@code timeout}, {@code option}, ...). */
    private static final Set<String> PREFIXES = new HashSet<>();
    /** The stats section, as the answer to HAProxy's other ways of serving statistics. */
    private static final String ADMIN = "ZeroProxy's admin endpoint (/metrics, /stats, /stats.json, /connections) is a "
            + "listen section with 'mode http', 'bind 127.0.0.1:8404' and 'stats enable' (see docs/configuration.md)";
    /** HAProxy's access control of its stats page, which the admin endpoint has none of. */
    private static final String NO_USERS = "the admin endpoint has no users and changes nothing; keep its bind on "
            + "the loopback address (the default) or a private network";
    /** HAProxy's options of its stats page's look. */
    private static final String FIXED_PAGE = "the admin endpoint's pages are fixed: ZeroProxy reads stats enable, "
            + "stats uri and stats refresh";
    /** Why a few HAProxy keywords have no equivalent, and what to do instead. */
    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("daemon", "run ZeroProxy in the foreground under a supervisor (systemd, a container runtime), "
                    + "which restarts it and collects its output"),
            Map.entry("log", "ZeroProxy logs through SLF4J: configure the logging backend"),
            Map.entry("option tcplog", "ZeroProxy logs through SLF4J: configure the logging backend"),
            Map.entry("user", "start ZeroProxy as the user it should run as"),
            Map.entry("group", "start ZeroProxy as the user and group it should run as"),
            Map.entry("chroot", "confine ZeroProxy with its supervisor (systemd, a container runtime)"),
            Map.entry("hash-type", "'balance source' always hashes consistently"),
            Map.entry("option splice-auto", "ZeroProxy's 'forwarding auto' splices bulk transfers"),
            Map.entry("nosplice", "ZeroProxy's 'forwarding copy' never splices"),
            // The global "stats socket", "stats timeout", ...: one keyword in HAProxy's table.
            Map.entry("stats", ADMIN),
            Map.entry("stats auth", NO_USERS),
            Map.entry("stats admin", NO_USERS),
            Map.entry("stats realm", NO_USERS),
            Map.entry("stats http-request", NO_USERS),
            Map.entry("stats hide-version", FIXED_PAGE),
            Map.entry("stats show-legends", FIXED_PAGE),
            Map.entry("stats show-desc", FIXED_PAGE),
            Map.entry("stats show-node", FIXED_PAGE),
            Map.entry("stats scope", FIXED_PAGE));

    static {
        SUPPORTED.put(SectionKind.GLOBAL, ordered(List.of("maxconn", "nbthread", "hard-stop-after", "transport")));
        SUPPORTED.put(SectionKind.DEFAULTS, ordered(List.of("mode"), FRONTEND_SETTINGS, BACKEND_SETTINGS));
        List<String> frontend = List.of("mode", "bind", "maxconn", "timeout client", "timeout client-fin",
                "tcp-request connection", "acl", "default_backend", "use_backend", "forwarding", "splice-threshold",
                "stats enable", "stats uri", "stats refresh");
        SUPPORTED.put(SectionKind.FRONTEND, ordered(frontend));
        List<String> backend = new ArrayList<>(List.of("mode"));
        backend.addAll(BACKEND_SETTINGS);
        backend.add("server");
        SUPPORTED.put(SectionKind.BACKEND, ordered(backend));
        SUPPORTED.put(SectionKind.LISTEN, ordered(frontend, backend));
        for (SectionKind kind : SectionKind.values()) {
            KNOWN.addAll(SUPPORTED.get(kind));
            KNOWN.addAll(HaproxyKeywords.in(kind));
        }
        for (String keyword : KNOWN) {
            int space = keyword.indexOf(' ');
            if (space > 0) {
                PREFIXES.add(keyword.substring(0, space));
            }
        }
    }

    private Keywords() { }

    /** The keywords ZeroProxy reads in a section, in the order messages list them. */
    static Set<String> supported(SectionKind kind) {
        return SUPPORTED.get(kind);
    }

    /** The sections where ZeroProxy reads a keyword; empty if none. */
    static List<SectionKind> supportedIn(String keyword) {
        List<SectionKind> kinds = new ArrayList<>();
        for (SectionKind kind : SectionKind.values()) {
            if (SUPPORTED.get(kind).contains(keyword)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** The sections where HAProxy allows a keyword; empty if none. */
    static List<SectionKind> haproxySections(String keyword) {
        String bare = withoutPrefix(keyword);
        List<SectionKind> kinds = new ArrayList<>();
        for (SectionKind kind : SectionKind.values()) {
            if (HaproxyKeywords.in(kind).contains(bare)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** What to do instead of an HAProxy keyword ZeroProxy lacks; null when there is nothing to say. */
    static String hint(String keyword) {
        return HINTS.get(keyword);
    }

    /** Whether a word starts keywords of several words, so that it is never a keyword alone. */
    static boolean isPrefix(String word) {
        return PREFIXES.contains(word) && !KNOWN.contains(word);
    }

    /**
     * How many of a line's first words make its keyword: the longest run of one to three words that
     * is a known keyword (after {@code no} or {@code default}, which HAProxy puts before some);
     * for an unknown keyword that starts like known ones ({@code timeout clint}), two words, so
     * that the error names both; otherwise one.
     */
    static int length(List<Token> words) {
        int start = 0;
        if (words.size() > 1 && (words.get(0).is("no") || words.get(0).is("default"))) {
            start = 1;
        }
        for (int n = Math.min(3, words.size() - start); n >= 1; n--) {
            String candidate = join(words, start, start + n);
            // A quoted "timeout connect" is one word, and no keyword, as in HAProxy.
            if (KNOWN.contains(candidate) && candidate.split(" ").length == n) {
                return start + n;
            }
        }
        if (isPrefix(words.get(start).text()) && words.size() > start + 1) {
            return start + 2;
        }
        return start + 1;
    }

    static String join(List<Token> words, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(i == from ? "" : " ").append(words.get(i).text());
        }
        return text.toString();
    }

    private static String withoutPrefix(String keyword) {
        if (keyword.startsWith("no ")) {
            return keyword.substring(3);
        }
        return keyword.startsWith("default ") ? keyword.substring(8) : keyword;
    }

    @SafeVarargs
    private static Set<String> ordered(List<String>... lists) {
        Set<String> set = new LinkedHashSet<>();
        for (List<String> list : lists) {
            set.addAll(list);
        }
        return Collections.unmodifiableSet(set);
    }
}
