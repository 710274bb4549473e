package dev.zeroproxy.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link UpstreamGroup#update}: matches the running servers to the new ones by name and keeps
 * what each has learnt. Runs under the group's lock.
 */
final class GroupUpdate {
    private GroupUpdate() { }

    static void apply(UpstreamGroup group, UpstreamGroup next, GroupHealth health) {
        Map<String, GroupServer> running = new LinkedHashMap<>();
        for (GroupServer server : group.currentServers()) {
            running.put(server.name(), server);
        }
        HealthCheck oldGroupCheck = group.healthCheck().orElse(null);
        boolean newBalancer = group.adoptSettings(next);
        HealthCheck newGroupCheck = group.healthCheck().orElse(null);
        boolean reweighted = false;
        List<GroupServer> kept = new ArrayList<>();
        List<GroupServer> added = new ArrayList<>();
        List<GroupServer> rechecked = new ArrayList<>();
        List<GroupServer> servers = new ArrayList<>();
        for (GroupServer wanted : next.currentServers()) {
            ServerSpec spec = wanted.spec();
            GroupServer server = running.remove(spec.name());
            if (server != null && server.address().equals(spec.address())) {
                HealthCheck before = server.spec().effectiveCheck(oldGroupCheck);
                boolean sourceChanged = !server.spec().sourceAddress().equals(spec.sourceAddress());
                reweighted |= server.weight() != spec.weight();
                server.spec(spec);
                server.ejection.settings(next.passiveEjection());
                if (!Objects.equals(before, spec.effectiveCheck(newGroupCheck)) || sourceChanged) {
                    // Checks leave from the server's source address too: new settings, new checker.
                    rechecked.add(server);
                }
                kept.add(server);
            } else {
                if (server != null) {
                    // The same name at another address: another server; the old one goes.
                    running.put(spec.name() + " (at " + server.address() + ")", server);
                }
                server = group.newServer(spec);
                added.add(server);
            }
            servers.add(server);
        }
        for (GroupServer gone : running.values()) {
            gone.adminState(ServerState.REMOVED);
        }
        if (newBalancer) {
            group.replaceServersAndBalancer(servers, next);
        } else {
            boolean sameLineUp = servers.equals(group.currentServers()) && !reweighted;
            // A balancer kept keeps its position unless what it balances over changed.
            group.replaceServers(servers, !sameLineUp);
        }
        for (GroupServer gone : running.values()) {
            health.removed(gone);
            health.report(gone, "removed by an update");
        }
        rechecked.forEach(health::recheck);
        added.forEach(health::added);
    }
}
