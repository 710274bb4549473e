package dev.zeroproxy.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a {@link Deployment#reload} changed, for the log and for tests.
 *
 * @param generation the configuration's number now (1 for the first start)
 * @param openedBinds listening addresses opened
 * @param closedBinds listening addresses closed (their connections drain)
 * @param keptBinds listening addresses kept open, their new connections under the new file
 * @param addedBackends backends started
 * @param removedBackends backends stopped
 * @param updatedBackends backends kept, their servers matched by name
 */
public record ReloadReport(long generation, List<InetSocketAddress> openedBinds, List<InetSocketAddress> closedBinds,
        List<InetSocketAddress> keptBinds, List<String> addedBackends, List<String> removedBackends,
        List<String> updatedBackends) {
    /** Copies the lists. */
    public ReloadReport {
        openedBinds = List.copyOf(openedBinds);
        closedBinds = List.copyOf(closedBinds);
        keptBinds = List.copyOf(keptBinds);
        addedBackends = List.copyOf(addedBackends);
        removedBackends = List.copyOf(removedBackends);
        updatedBackends = List.copyOf(updatedBackends);
    }

    /**
     * One line: {@code generation 3: 1 bind(s) opened [/127.0.0.1:8082], 1 closed [/127.0.0.1:8081],
     * 1 kept; backends added [], removed [], updated [app, canary]}.
     */
    public String summary() {
        return "generation " + generation + ": " + openedBinds.size() + " bind(s) opened " + openedBinds + ", "
                + closedBinds.size() + " closed " + closedBinds + ", " + keptBinds.size() + " kept; backends added "
                + addedBackends + ", removed " + removedBackends + ", updated " + updatedBackends;
    }
}
