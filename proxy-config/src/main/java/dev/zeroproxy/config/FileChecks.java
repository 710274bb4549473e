package dev.zeroproxy.config;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks that need the whole file: there is a frontend, every frontend listens somewhere and has a
 * {@code default_backend}, every backend has a server, every backend named exists (the stats
 * section is none of them: {@link StatsChecks}). Quiet about
 * what a line already reported as wrong left out, and about names of sections whose header was
 * too broken to read (a misspelt {@code backnd app} is one error, not one more per reference to
 * {@code app}).
 */
final class FileChecks {
    private final Problems problems;
    private final Set<String> backends = new LinkedHashSet<>();
    private final Set<String> doubtful;
    /** The stats section's name: a reference to it is to the admin endpoint, not to a backend. */
    private final Set<String> statsSections = new HashSet<>();
    /** A default_backend inherited from a defaults section is one mistake, however many frontends inherit it. */
    private final Set<SourcePosition> reported = new HashSet<>();

    private FileChecks(Problems problems, List<ProxySection> sections, Set<String> doubtful) {
        this.problems = problems;
        this.doubtful = doubtful;
        for (ProxySection section : sections) {
            if (section.isStats() && section.name != null) {
                statsSections.add(section.name);
            } else if (section.kind.hasServers() && section.name != null) {
                backends.add(section.name);
            }
        }
    }

    static void check(Problems problems, List<ProxySection> sections, Set<String> doubtful) {
        if (sections.stream().noneMatch(section -> section.kind.acceptsClients() && !section.isStats())
                && problems.isEmpty()) {
            // HAProxy refuses a file without one ("no listener"): there would be nothing to run. The
            // stats section alone would serve figures of nothing.
            boolean stats = sections.stream().anyMatch(ProxySection::isStats);
            problems.report(new SourcePosition(problems.file(), 1, 1), "frontend",
                    "the file has no frontend or listen section" + (stats ? " besides the stats section" : "")
                            + ": nothing would " + (stats ? "be proxied" : "listen"),
                    "at least one frontend or listen section with a bind line", null);
        }
        FileChecks checks = new FileChecks(problems, sections, doubtful);
        for (ProxySection section : sections) {
            // A section without a name, or with another's, is reported as such: its contents are moot.
            // So are the stats section's, which StatsChecks checks, and a tcp section's in mode http,
            // which ModeChecks reports.
            if (section.name != null && !section.discarded && !section.isStats() && !section.isHttp()) {
                checks.check(section);
            }
        }
    }

    private void check(ProxySection section) {
        String kind = section.kind.keyword();
        String named = kind + " '" + section.name + "'";
        if (section.kind.acceptsClients()) {
            if (section.binds.isEmpty() && !section.bindFailed) {
                problems.report(section.where, kind, named + " has no bind line",
                        "at least one 'bind ADDRESS:PORT' in it", null);
            }
            Located<String> defaultBackend = section.settings.defaultBackend;
            if (defaultBackend != null) {
                reference(defaultBackend);
            } else if (!section.settings.defaultBackendFailed) {
                problems.report(section.where, kind, named + " has no default_backend: a client that no "
                        + "use_backend rule takes would have nowhere to go", "'default_backend NAME' in it, "
                        + "or in a defaults section above it", null);
            }
            section.useBackends.forEach(use -> reference(use.backend()));
        }
        if (section.kind.hasServers() && section.servers.isEmpty() && !section.serverFailed) {
            problems.report(section.where, kind, named + " has no server",
                    "at least one 'server NAME ADDRESS:PORT' in it", null);
        }
    }

    private void reference(Located<String> backend) {
        String name = backend.value();
        if (statsSections.contains(name) && reported.add(backend.where())) {
            problems.report(backend.where(), backend.keyword(), "'" + name + "' is the stats section, the admin "
                    + "endpoint, not a backend", "the name of a backend or listen section with servers",
                    Suggestions.closest(name, backends));
        } else if (!backends.contains(name) && !doubtful.contains(name) && reported.add(backend.where())) {
            problems.report(backend.where(), backend.keyword(), "no backend named '" + name + "'",
                    "the name of a backend or listen section", Suggestions.closest(name, backends));
        }
    }
}
