package dev.zeroproxy.config;

import java.util.List;

/**
 * Reads the lines of a {@code defaults}, {@code frontend}, {@code backend} or {@code listen}
 * section into its {@link ProxySection}: {@code mode} here, the rest by the frontend's, the
 * stats' and the backend's line readers (a {@code listen} or a {@code defaults} uses both).
 *
 * <p>{@code mode http} is read here and judged when the file is whole ({@link ModeChecks}): it
 * is right only in the stats section, which a later {@code stats enable} line may make of the
 * section.
 */
final class ProxyReader implements SectionReader {
    private static final List<String> MODES = List.of("tcp", "http");
    private static final String MODE = "tcp (http only in the stats section, see 'stats enable')";

    private final ProxySection section;
    private final FrontendLines frontend;
    private final StatsLines stats;
    private final BackendLines backend;

    ProxyReader(ProxySection section, Addresses addresses) {
        this.section = section;
        this.frontend = new FrontendLines(section, addresses);
        this.stats = new StatsLines(section);
        this.backend = new BackendLines(section, addresses);
    }

    @Override
    public void read(Statement line) {
        String keyword = line.keyword();
        if (keyword.equals("mode")) {
            section.settings.mode = LastWins.apply(line.onlyValue("mode", MODE, ProxyReader::mode),
                    section.settings.mode);
        } else if (!frontend.read(line) && !stats.read(line) && !backend.read(line)) {
            throw new IllegalStateException(keyword + ": a supported keyword no reader reads");
        }
        if (!keyword.equals("mode") && !keyword.equals("bind") && !keyword.startsWith("stats ") && !line.failed()) {
            section.ownLines.add(new Located<>(keyword, keyword, line.where()));
        }
    }

    private static Parsed<String> mode(String text) {
        return MODES.contains(text) ? Parsed.of(text)
                : Parsed.wrong("ZeroProxy is a TCP proxy; mode " + text + " is not supported", MODE);
    }
}
