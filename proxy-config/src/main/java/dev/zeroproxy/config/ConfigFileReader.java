package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a file line by line: cuts each line into words, follows the section headers, hands each
 * line to its section's reader or says why its keyword is refused, then runs the checks that need
 * the whole file and builds the model.
 *
 * <p>Keeps one error per mistake: after a header it cannot read (an HAProxy section ZeroProxy
 * lacks, such as {@code peers}; a misspelt {@code frontnd}; a header whose quote is left open;
 * words before any section), it skips the lines up to the next header, which belong to no section
 * it knows, rather than report each of them.
 */
final class ConfigFileReader {
    private static final List<String> HEADERS = List.of("global", "defaults", "frontend", "backend", "listen");
    private static final String SECTIONS = "a section: global, defaults, frontend, backend or listen";

    private final Problems problems;
    private final Function<String, String> environment;
    private final Addresses addresses;
    private final GlobalReader global = new GlobalReader();
    private final List<ProxySection> sections = new ArrayList<>();
    private final Map<String, Integer> frontendLines = new HashMap<>();
    private final Map<String, Integer> backendLines = new HashMap<>();
    /** Names of sections skipped for a broken header: references to them are not errors of their own. */
    private final Set<String> doubtful = new HashSet<>();
    private ProxySettings defaults = new ProxySettings();
    private SectionKind kind;
    private SectionReader reader;
    private ProxySection current;
    private boolean skipping;

    ConfigFileReader(String file, Function<String, String> environment, HostResolver resolver) {
        this.problems = new Problems(file);
        this.environment = environment;
        this.addresses = new Addresses(resolver);
    }

    ProxyFile read(String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("\uFEFF")) {
                // Editors hide it, HAProxy refuses it ("unknown keyword"): say what it is.
                problems.report(new SourcePosition(problems.file(), 1, 1), "file",
                        "the file starts with a byte order mark (U+FEFF), which HAProxy refuses too",
                        "UTF-8 text without a byte order mark (most editors can save it so)", null);
                line = line.substring(1);
            }
            List<Token> words = Tokenizer.words(line, i + 1, environment, problems);
            if (words == null) {
                unreadable(line);
            } else if (!words.isEmpty()) {
                read(new Statement(problems, i + 1, words));
            }
        }
        endSection();
        FileChecks.check(problems, sections, doubtful);
        ModeChecks.check(problems, sections);
        StatsSection stats = StatsChecks.check(problems, sections);
        problems.throwIfAny();
        List<FrontendSection> frontends = new ArrayList<>();
        List<BackendSection> backends = new ArrayList<>();
        for (ProxySection section : sections) {
            if (section.isStats()) {
                // The admin endpoint, not a frontend or a backend of the proxy.
                continue;
            }
            if (section.kind.acceptsClients()) {
                frontends.add(section.frontend());
            }
            if (section.kind.hasServers()) {
                backends.add(section.backend());
            }
        }
        return new ProxyFile(problems.file(), global.section(), frontends, backends, Optional.ofNullable(stats));
    }

    private void read(Statement line) {
        String first = line.first().text();
        SectionKind header = SectionKind.ofHeader(first);
        if (header != null) {
            endSection();
            startSection(header, line);
        } else if (HaproxyKeywords.sections().contains(first)) {
            endSection();
            line.error(line.first(), "'" + first + "' is an HAProxy section ZeroProxy does not support", SECTIONS);
            skipping = true;
        } else if (skipping) {
            // A line of a section read wrong: it belongs to no section we know, and was reported with it.
            return;
        } else if (kind == null) {
            line.error(line.first(), 0, first, "'" + first + "' is outside any section",
                    "a section header above it: global, defaults, frontend, backend or listen",
                    Suggestions.closest(first, HEADERS));
            skipHeader(line);
        } else if (line.blankInKeyword()) {
            line.error(line.first(), "'" + line.keyword() + "' is not a keyword: its words are quoted together",
                    "the words of a keyword separated by spaces, outside quotes");
        } else if (Keywords.supported(kind).contains(line.keyword())) {
            reader.read(line);
        } else if (looksLikeHeader(line)) {
            line.error(line.first(), 0, first, "'" + first + "' is neither a keyword of section " + kind.keyword()
                    + " nor a section", SECTIONS, Suggestions.closest(first, HEADERS));
            endSection();
            skipHeader(line);
        } else {
            KeywordErrors.report(kind, line);
        }
        if (current != null && current.kind.acceptsClients() && line.first().is("stats")) {
            // Even a wrong stats line says what the section is meant to be: the stats section.
            if (current.statsLine == null) {
                current.statsLine = line.where();
            }
            current.statsFailed |= line.failed();
        }
    }

    /**
     * A line the tokenizer refused: if it was a header, its section's lines must not land in the
     * previous one, and its name, read roughly, is not missing from the references to it.
     */
    private void unreadable(String line) {
        String[] words = line.strip().split("[ \t]+");
        if (HEADERS.contains(words[0]) || HaproxyKeywords.sections().contains(words[0])) {
            endSection();
            skipping = true;
            if (words.length > 1) {
                doubtful.add(words[1].replace("\"", "").replace("'", ""));
            }
        }
    }

    /** No keyword of any section, but one edit or two from a section's header. */
    private boolean looksLikeHeader(Statement line) {
        String keyword = line.keyword();
        return Keywords.supportedIn(keyword).isEmpty() && Keywords.haproxySections(keyword).isEmpty()
                && Suggestions.closest(line.first().text(), HEADERS) != null
                && Suggestions.closestKeyword(line.texts(), Keywords.supported(kind)) == null;
    }

    /** Skips the section of a header read wrong, remembering the name it would have had. */
    private void skipHeader(Statement line) {
        skipping = true;
        if (line.argCount() > 0) {
            doubtful.add(line.arg(0).text());
        }
    }

    private void startSection(SectionKind header, Statement line) {
        skipping = false;
        kind = header;
        if (header == SectionKind.GLOBAL) {
            line.atMost(0, "'global' alone on its line");
            reader = global;
            return;
        }
        boolean named = header != SectionKind.DEFAULTS;
        String name = null;
        if (line.argCount() == 0) {
            if (named) {
                line.missing("name", header.keyword() + " NAME, " + Names.EXPECTED);
            }
        } else {
            Token word = line.arg(0);
            name = word.text();
            String problem = Names.problem(name, header.keyword());
            if (problem != null) {
                line.error(word, problem, Names.EXPECTED);
            }
            if (line.argCount() > 1 && line.arg(1).is("from")) {
                line.error(line.arg(1), "'from' is not supported: a section takes the settings of the last "
                        + "defaults section above it, and each defaults section starts from nothing",
                        header.keyword() + " NAME");
            } else {
                line.atMost(1, header.keyword() + " NAME");
            }
        }
        ProxySettings settings = header == SectionKind.DEFAULTS ? new ProxySettings() : defaults.copy();
        current = new ProxySection(header, name, line.where(), settings);
        reader = new ProxyReader(current, addresses);
        if (header == SectionKind.DEFAULTS || name == null) {
            return;
        }
        if (header == SectionKind.LISTEN) {
            settings.defaultBackend = new Located<>(name, "listen", line.at(line.arg(0)));
            settings.defaultBackendFailed = false;
        }
        current.discarded = line.failed() || unique(line, header.acceptsClients(), frontendLines, "frontend or listen")
                || unique(line, header.hasServers(), backendLines, "backend or listen");
        sections.add(current);
    }

    /** Registers the section's name; true after reporting another section of its kind had it. */
    private boolean unique(Statement line, boolean applies, Map<String, Integer> names, String kinds) {
        if (!applies) {
            return false;
        }
        Token word = line.arg(0);
        Integer earlier = names.putIfAbsent(word.text(), line.line());
        if (earlier == null) {
            return false;
        }
        line.error(word, "a " + kinds + " named '" + word.text() + "' is already defined at line " + earlier,
                "a name no other " + kinds + " section has");
        return true;
    }

    private void endSection() {
        if (current != null) {
            current.finish(problems);
            if (current.kind == SectionKind.DEFAULTS) {
                defaults = current.settings;
            }
        }
        current = null;
        kind = null;
        reader = null;
    }
}
