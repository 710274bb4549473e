package dev.zeroproxy.config;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Optional;

/**
 * A frontend's {@code use_backend ... if|unless { src ... }} lines and its {@code default_backend}:
 * the proxy's {@link Upstream}, which routes each connection once ({@link #route}) by its
 * client's address (the one a PROXY header gave, with {@code accept-proxy}, as HAProxy's
 * {@code src} is), and then leaves every attempt to the chosen backend's group. Immutable: a
 * reload makes a new router. The groups are the deployment's, started by it; this router's
 * {@code start}/{@code stop} count it among their users ({@link GroupUsers}).
 */
final class BackendRouter implements Upstream {
    /** One {@code use_backend} line: its blocks, as a first-match set, and whether negated. */
    record Route(AccessRules blocks, boolean negated, UpstreamGroup backend) {
        boolean matches(InetSocketAddress client) {
            return blocks.match(client.getAddress()).isPresent() != negated;
        }
    }

    private final List<Route> routes;
    private final UpstreamGroup defaultBackend;
    /** The deployment's count of each group's users; null for a router that is only checked. */
    private final GroupUsers users;

    BackendRouter(List<Route> routes, UpstreamGroup defaultBackend, GroupUsers users) {
        this.routes = List.copyOf(routes);
        this.defaultBackend = defaultBackend;
        this.users = users;
    }

    /** Every group this router can route to, once each. */
    private Set<UpstreamGroup> groups() {
        Set<UpstreamGroup> groups = Collections.newSetFromMap(new IdentityHashMap<>());
        groups.add(defaultBackend);
        routes.forEach(route -> groups.add(route.backend()));
        return groups;
    }

    /**
     * The proxy uses this router from now on: its groups are in use, and a reload that removes
     * one leaves it running until this router's connections are done. (The groups themselves are
     * started by the deployment, once.)
     */
    @Override
    public void start(UpstreamRuntime runtime) {
        if (users != null) {
            groups().forEach(users::acquire);
        }
    }

    /** The last connection routed by this router has closed. */
    @Override
    public void stop() {
        if (users != null) {
            groups().forEach(users::release);
        }
    }

    /** The blocks of a condition as a set to match against. */
    static AccessRules blocksOf(SourceCondition condition) {
        AccessRules.Builder blocks = AccessRules.builder();
        condition.cidrs().forEach(blocks::allow);
        return blocks.build();
    }

    @Override
    public Upstream route(ConnectionInfo connection) {
        InetSocketAddress client = connection.originalClient();
        for (Route route : routes) {
            if (route.matches(client)) {
                return route.backend();
            }
        }
        return defaultBackend;
    }

    @Override
    public void select(UpstreamAttempt attempt) {
        // The proxy asks route() first and then selects on the backend; this is for a caller that does not.
        route(attempt.connection()).select(attempt);
    }

    @Override
    public int retries() {
        return defaultBackend.retries();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return defaultBackend.connectTimeout();
    }

    @Override
    public String toString() {
        return routes.isEmpty() ? defaultBackend.name()
                : routes.size() + " route(s), default " + defaultBackend.name();
    }
}
