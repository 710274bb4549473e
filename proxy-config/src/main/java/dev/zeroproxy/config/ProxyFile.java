package dev.zeroproxy.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A configuration file, parsed and checked: its {@code global} section, its frontends and
 * backends, with every {@code defaults} section already applied (a {@code listen} section is a
 * frontend and a backend of the same name), and its stats section, which is neither. Immutable. Every reference in it resolves: each
 * frontend's backends exist, names are unique per kind. What the library's builders still check
 * (ranges, combinations) is checked by {@link Deployment} when it builds, and reported at the
 * position of the value.
 *
 * @param name the file's name as given (the {@code file} of every {@link SourcePosition})
 * @param global the global settings
 * @param frontends in file order
 * @param backends in file order
 * @param stats the stats section (the admin endpoint), if the file has one; not among the frontends
 */
public record ProxyFile(String name, GlobalSection global, List<FrontendSection> frontends,
        List<BackendSection> backends, Optional<StatsSection> stats) {
    /** Copies the lists. */
    public ProxyFile {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
        Objects.requireNonNull(stats, "stats");
    }

    /** A file without a stats section. */
    public ProxyFile(String name, GlobalSection global, List<FrontendSection> frontends,
            List<BackendSection> backends) {
        this(name, global, frontends, backends, Optional.empty());
    }

    /** The backend of that name. */
    public Optional<BackendSection> backend(String backendName) {
        return backends.stream().filter(b -> b.name().equals(backendName)).findFirst();
    }
}
