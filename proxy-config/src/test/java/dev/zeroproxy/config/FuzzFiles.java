package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Configuration files for the fuzz test, each from a seeded {@link Random}: valid files built
 * from the supported keywords (which must parse), those files mutated (characters inserted,
 * words swapped for others, lines duplicated, moved or cut), and lines of random words from a
 * vocabulary of keywords, values, quotes, escapes, braces, control characters and unicode.
 */
final class FuzzFiles {
    private static final String[] VALUES = {"5s", "250", "1m", "0", "100", "64k", "-1", "99999999999", "1.5s", "2h",
        ":80", "*:81", "127.0.0.1:82", "[::1]:83", "ipv4@:84", "ipv6@:85", "localhost:86", "twin:87", "nosuch:88",
        ":0", ":80-90", "10.0.0.0/8", "10.0.0.0/33", "::/0", "10/8", "127.0.0.1", "{", "}", "!", "!{", "if", "unless",
        "src", "dst", "accept", "reject", "||", "app", "web", "db", "check", "backup", "weight", "inter", "rise",
        "fall", "send-proxy", "send-proxy-v2", "no-check", "source", "accept-proxy", "ssl", "random", "random(2)",
        "random(3)", "roundrobin", "leastconn", "tcp", "http", "epoll", "splice", "copy", "from", "%[src]", ""};
    private static final String[] JUNK = {"\"", "'", "\\", "\\x", "\\x4", "\\xZZ", "$", "${", "${X", "${HOST}", "$PORT",
        "\"$SPACED\"", "#", "{", "}", "!", ",", ":", "[", "]", "@", "\t", "\r", "\u0000", "\u0001", "\u007f",
        "\u00a0", "\u2028", "é", "日本", "\uD83D\uDE00", "\uD800", "\uDC00", "\uFEFF", "\n", "    ", "-", "/", "%"};
    private static final List<String> KEYWORDS = new ArrayList<>();

    static {
        for (SectionKind kind : SectionKind.values()) {
            KEYWORDS.addAll(Keywords.supported(kind));
            KEYWORDS.add(kind.keyword());
        }
        KEYWORDS.addAll(List.of("daemon", "log", "option httplog", "stick-table", "peers", "userlist", "timeout",
                "option", "no", "timeout clint", "balanse", "frontnd", "backnd", ".if", "stats", "http-request"));
    }

    private final Random random;

    FuzzFiles(Random random) {
        this.random = random;
    }

    /** A valid file of one to four frontends, each with its backend, maybe a global and defaults section. */
    String valid() {
        StringBuilder file = new StringBuilder();
        if (random.nextBoolean()) {
            file.append("global\n    maxconn ").append(1 + random.nextInt(1000)).append("\n    nbthread ")
                    .append(1 + random.nextInt(8)).append("\n    hard-stop-after ").append(random.nextInt(60))
                    .append("s\n    transport ").append(pick("nio", "epoll", "io_uring")).append('\n');
        }
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (random.nextInt(3) == 0) {
                file.append("defaults\n    mode tcp\n    timeout client ").append(time()).append("\n    timeout connect ")
                        .append(time()).append("\n    retries ").append(random.nextInt(5)).append('\n');
                if (random.nextBoolean()) {
                    file.append("    default-server check inter ").append(time()).append(" rise 2 fall 3\n");
                }
            }
            if (random.nextInt(4) == 0) {
                file.append("listen l").append(i).append("\n    bind :").append(10_000 + i).append('\n');
                servers(file);
                continue;
            }
            file.append("frontend f").append(i).append("\n    bind 127.0.0.1:").append(20_000 + i);
            file.append(random.nextBoolean() ? " accept-proxy\n" : "\n");
            if (random.nextBoolean()) {
                file.append("    acl lan src 10.0.0.0/8 192.168.").append(random.nextInt(256)).append(".0/24\n")
                        .append("    tcp-request connection ").append(pick("accept", "reject"))
                        .append(pick(" if lan", " if !lan", " unless lan", " if { src 10.1.0.0/16 }", "")).append('\n')
                        .append("    use_backend b").append(i).append(" if ").append(pick("lan", "!lan",
                                "{ src ::1 }")).append('\n');
            }
            file.append("    maxconn ").append(random.nextInt(100_000)).append("\n    timeout client ").append(time())
                    .append("\n    forwarding ").append(pick("best", "auto", "copy", "splice"))
                    .append("\n    splice-threshold ").append(random.nextInt(100)).append(pick("", "k", "m"))
                    .append("\n    default_backend b").append(i).append('\n');
            file.append("backend b").append(i).append("\n    balance ")
                    .append(pick("roundrobin", "leastconn", "source", "random", "random(2)")).append('\n')
                    .append(pick("    option redispatch\n", "    no option redispatch\n", ""))
                    .append("    timeout server ").append(time()).append('\n');
            servers(file);
        }
        return file.toString();
    }

    /** A valid file, changed by one to eight random mutations. */
    String mutated() {
        String text = valid();
        int mutations = 1 + random.nextInt(8);
        for (int i = 0; i < mutations; i++) {
            text = mutate(text);
        }
        return text;
    }

    /** Lines of random words. */
    String noise() {
        StringBuilder file = new StringBuilder();
        int lines = random.nextInt(30);
        for (int i = 0; i < lines; i++) {
            file.append(random.nextInt(4) == 0 ? "" : "    ");
            int words = random.nextInt(8);
            for (int w = 0; w < words; w++) {
                file.append(w == 0 ? "" : pick(" ", "\t", "  ")).append(word());
            }
            file.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        return file.toString();
    }

    private String mutate(String text) {
        if (text.isEmpty()) {
            return word();
        }
        int at = random.nextInt(text.length());
        int end = Math.min(text.length(), at + 1 + random.nextInt(12));
        List<String> lines = List.of(text.split("\n", -1));
        return switch (random.nextInt(6)) {
            case 0 -> text.substring(0, at) + JUNK[random.nextInt(JUNK.length)] + text.substring(at);
            case 1 -> text.substring(0, at) + word() + text.substring(end);
            case 2 -> text.substring(0, at) + text.substring(end);
            case 3 -> {
                List<String> moved = new ArrayList<>(lines);
                moved.add(random.nextInt(moved.size() + 1), lines.get(random.nextInt(lines.size())));
                yield String.join("\n", moved);
            }
            case 4 -> {
                List<String> shuffled = new ArrayList<>(lines);
                java.util.Collections.swap(shuffled, random.nextInt(lines.size()), random.nextInt(lines.size()));
                yield String.join("\n", shuffled);
            }
            default -> text.substring(0, at);
        };
    }

    private String word() {
        return switch (random.nextInt(5)) {
            case 0 -> KEYWORDS.get(random.nextInt(KEYWORDS.size()));
            case 1 -> VALUES[random.nextInt(VALUES.length)];
            case 2 -> JUNK[random.nextInt(JUNK.length)] + VALUES[random.nextInt(VALUES.length)];
            case 3 -> VALUES[random.nextInt(VALUES.length)] + JUNK[random.nextInt(JUNK.length)];
            default -> {
                StringBuilder chars = new StringBuilder();
                int length = 1 + random.nextInt(10);
                for (int i = 0; i < length; i++) {
                    // Any char, surrogates and controls included: half from ASCII, half from the whole range.
                    chars.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x10000)));
                }
                yield chars.toString();
            }
        };
    }

    private void servers(StringBuilder file) {
        int servers = 1 + random.nextInt(3);
        for (int s = 0; s < servers; s++) {
            file.append("    server s").append(s).append(' ').append(pick("127.0.0.1", "localhost", "[::1]", "twin"))
                    .append(':').append(1 + random.nextInt(65535))
                    .append(pick("", " check", " weight 10", " backup", " send-proxy", " maxconn 5 inter 1s"))
                    .append('\n');
        }
    }

    private String time() {
        return random.nextInt(1000) + pick("", "ms", "s", "m");
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
