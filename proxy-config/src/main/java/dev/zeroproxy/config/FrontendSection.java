package dev.zeroproxy.config;

import dev.zeroproxy.Forwarding;
import java.time.Duration;
import java.util.List;

/**
 * A {@code frontend} (or the frontend half of a {@code listen}), defaults applied; each
 * {@code Located} setting null when not written.
 *
 * @param name the section's name
 * @param where where the section's header line starts
 * @param binds the addresses it listens on, at least one
 * @param maxConn {@code maxconn}: connections at once, per bind
 * @param timeoutClient {@code timeout client}
 * @param timeoutClientFin {@code timeout client-fin}
 * @param rules the {@code tcp-request connection} lines, in order
 * @param defaultBackend {@code default_backend}; for a {@code listen}, its own name
 * @param useBackends the {@code use_backend} lines, in order
 * @param forwarding ZeroProxy's {@code forwarding auto|copy|splice|best}
 * @param spliceThreshold ZeroProxy's {@code splice-threshold SIZE}, in bytes
 */
public record FrontendSection(String name, SourcePosition where, List<BindLine> binds, Located<Integer> maxConn,
        Located<Duration> timeoutClient, Located<Duration> timeoutClientFin, List<AccessLine> rules,
        Located<String> defaultBackend, List<UseBackendLine> useBackends, Located<Forwarding> forwarding,
        Located<Long> spliceThreshold) {
    /** Copies the lists. */
    public FrontendSection {
        binds = List.copyOf(binds);
        rules = List.copyOf(rules);
        useBackends = List.copyOf(useBackends);
    }
}
