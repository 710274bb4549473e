package dev.zeroproxy.config;

/**
 * Reads the lines of a {@code defaults}, {@code frontend}, {@code backend} or {@code listen}
 * section into its {@link ProxySection}: {@code mode} here, the rest by the frontend's and the
 * backend's line readers (a {@code listen} or a {@code defaults} uses both).
 */
final class ProxyReader implements SectionReader {
    private static final String MODE = "tcp";

    private final FrontendLines frontend;
    private final BackendLines backend;

    ProxyReader(ProxySection section, Addresses addresses) {
        this.frontend = new FrontendLines(section, addresses);
        this.backend = new BackendLines(section, addresses);
    }

    @Override
    public void read(Statement line) {
        if (line.keyword().equals("mode")) {
            // Checked only: TCP is all ZeroProxy does, so the model has nothing to hold.
            line.onlyValue("mode", MODE, ProxyReader::mode);
        } else if (!frontend.read(line) && !backend.read(line)) {
            throw new IllegalStateException(line.keyword() + ": a supported keyword no reader reads");
        }
    }

    private static Parsed<String> mode(String text) {
        return text.equals(MODE) ? Parsed.of(text)
                : Parsed.wrong("ZeroProxy is a TCP proxy; mode " + text + " is not supported", MODE);
    }
}
