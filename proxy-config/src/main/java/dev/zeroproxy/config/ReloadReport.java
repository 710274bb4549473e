package dev.zeroproxy.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Deployment#reload} changed, for the log, for tests, and for what runs beside the
 * deployment: a metrics layer adds and drops the frontends and backends named here, and whoever
 * serves the admin endpoint moves it when {@link #statsChanged} says so (the deployment never
 * binds the stats section's address itself).
 *
 * @param generation the configuration's number now (1 for the first start)
 * @param openedBinds listening addresses opened
 * @param closedBinds listening addresses closed (their connections drain)
 * @param keptBinds listening addresses kept open, their new connections under the new file
 * @param addedBackends backends started
 * @param removedBackends backends stopped (once the connections still routed to them are done)
 * @param updatedBackends backends kept, their servers matched by name
 * @param addedFrontends frontends (by name) the old file did not have
 * @param removedFrontends frontends the new file does not have
 * @param keptFrontends frontends of both files; their listener is the one they started with
 * @param stats the new file's stats section, if it has one
 * @param statsChanged whether the stats section was added, removed, or serves otherwise (another
 *     address, path or refresh: {@link StatsSection#servesAs}); what a change needs is a restart
 *     of the admin endpoint, not of the deployment
 */
public record ReloadReport(long generation, List<InetSocketAddress> openedBinds, List<InetSocketAddress> closedBinds,
        List<InetSocketAddress> keptBinds, List<String> addedBackends, List<String> removedBackends,
        List<String> updatedBackends, List<String> addedFrontends, List<String> removedFrontends,
        List<String> keptFrontends, Optional<StatsSection> stats, boolean statsChanged) {
    /** Copies the lists. */
    public ReloadReport {
        openedBinds = List.copyOf(openedBinds);
        closedBinds = List.copyOf(closedBinds);
        keptBinds = List.copyOf(keptBinds);
        addedBackends = List.copyOf(addedBackends);
        removedBackends = List.copyOf(removedBackends);
        updatedBackends = List.copyOf(updatedBackends);
        addedFrontends = List.copyOf(addedFrontends);
        removedFrontends = List.copyOf(removedFrontends);
        keptFrontends = List.copyOf(keptFrontends);
        Objects.requireNonNull(stats, "stats");
    }

    /**
     * One line: {@code generation 3: 1 bind(s) opened [/127.0.0.1:8082], 1 closed [/127.0.0.1:8081],
     * 1 kept; backends added [], removed [], updated [app, canary]; frontends added [extra],
     * removed [admin]}, then, if the stats section changed, {@code ; stats now 127.0.0.1:8405/stats,
     * refresh 5s} (or {@code ; stats removed}).
     */
    public String summary() {
        return "generation " + generation + ": " + openedBinds.size() + " bind(s) opened " + openedBinds + ", "
                + closedBinds.size() + " closed " + closedBinds + ", " + keptBinds.size() + " kept; backends added "
                + addedBackends + ", removed " + removedBackends + ", updated " + updatedBackends
                + "; frontends added " + addedFrontends + ", removed " + removedFrontends
                + (!statsChanged ? "" : stats.map(s -> "; stats now " + s.describe()).orElse("; stats removed"));
    }
}
