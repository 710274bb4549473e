package dev.zeroproxy.config;

import java.util.List;
import java.util.Optional;

/**
 * A configuration file, parsed and checked: its {@code global} section and its frontends and
 * backends, with every {@code defaults} section already applied (a {@code listen} section is a
 * frontend and a backend of the same name). Immutable. Every reference in it resolves: each
 * frontend's backends exist, names are unique per kind. What the library's builders still check
 * (ranges, combinations) is checked by {@link Deployment} when it builds, and reported at the
 * position of the value.
 *
 * @param name the file's name as given (the {@code file} of every {@link SourcePosition})
 * @param global the global settings
 * @param frontends in file order
 * @param backends in file order
 */
public record ProxyFile(String name, GlobalSection global, List<FrontendSection> frontends,
        List<BackendSection> backends) {
    /** Copies the lists. */
    public ProxyFile {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
    }

    /** The backend of that name. */
    public Optional<BackendSection> backend(String backendName) {
        return backends.stream().filter(b -> b.name().equals(backendName)).findFirst();
    }
}
