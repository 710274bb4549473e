package dev.zeroproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The keywords HAProxy 2.6 has, by section, read from {@code haproxy-2.6-keywords.txt} (whose
 * header says where each list comes from). ZeroProxy supports few of them; knowing the rest lets
 * an error say "HAProxy has this, ZeroProxy does not" instead of guessing at a misspelling.
 */
final class HaproxyKeywords {
    private static final String RESOURCE = "haproxy-2.6-keywords.txt";
    private static final HaproxyKeywords INSTANCE = load();

    private final Map<SectionKind, Set<String>> bySection;
    private final Map<String, Set<String>> lists;

    private HaproxyKeywords(Map<SectionKind, Set<String>> bySection, Map<String, Set<String>> lists) {
        this.bySection = bySection;
        this.lists = lists;
    }

    /** The keywords HAProxy allows in a section (without the {@code no}/{@code default} prefixes). */
    static Set<String> in(SectionKind kind) {
        return INSTANCE.bySection.get(kind);
    }

    /** The options of a {@code bind} line. */
    static Set<String> bindOptions() {
        return INSTANCE.lists.get("bind");
    }

    /** The options of a {@code server} or {@code default-server} line. */
    static Set<String> serverOptions() {
        return INSTANCE.lists.get("server");
    }

    /** The actions of {@code tcp-request connection}. */
    static Set<String> connectionActions() {
        return INSTANCE.lists.get("tcp-request connection");
    }

    /** The algorithms of {@code balance}, without arguments ({@code hdr}, not {@code hdr(name)}). */
    static Set<String> balanceAlgorithms() {
        return INSTANCE.lists.get("balance");
    }

    /** The section keywords ({@code peers}, {@code userlist}, ...), ours included. */
    static Set<String> sections() {
        return INSTANCE.lists.get("sections");
    }

    private static HaproxyKeywords load() {
        String text;
        try (InputStream in = HaproxyKeywords.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + ": missing from the class path (expected: beside "
                        + HaproxyKeywords.class.getName() + ")");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": unreadable", e);
        }
        Map<SectionKind, Set<String>> bySection = new EnumMap<>(SectionKind.class);
        for (SectionKind kind : SectionKind.values()) {
            bySection.put(kind, new HashSet<>());
        }
        Map<String, Set<String>> lists = new HashMap<>();
        String block = null;
        for (String raw : text.split("\n")) {
            int hash = raw.indexOf('#');
            String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                block = line.substring(1, line.length() - 1);
                continue;
            }
            if ("proxy".equals(block)) {
                // A keyword of one or more words, then the letters of the sections it is allowed in.
                int split = line.lastIndexOf(' ');
                String keyword = line.substring(0, split).strip();
                for (char letter : line.substring(split + 1).toCharArray()) {
                    bySection.get(ofLetter(letter)).add(keyword);
                }
            } else if ("global".equals(block)) {
                bySection.get(SectionKind.GLOBAL).addAll(Arrays.asList(line.split(" +")));
            } else {
                lists.computeIfAbsent(block, b -> new HashSet<>()).addAll(Arrays.asList(line.split(" +")));
            }
        }
        return new HaproxyKeywords(bySection, lists);
    }

    private static SectionKind ofLetter(char letter) {
        return switch (letter) {
            case 'd' -> SectionKind.DEFAULTS;
            case 'f' -> SectionKind.FRONTEND;
            case 'l' -> SectionKind.LISTEN;
            case 'b' -> SectionKind.BACKEND;
            default -> throw new IllegalStateException(RESOURCE + ": section letter " + letter
                    + " (expected: d, f, l or b)");
        };
    }
}
