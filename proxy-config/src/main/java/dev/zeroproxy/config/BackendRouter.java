package dev.zeroproxy.config;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A frontend's {@code use_backend ... if|unless { src ... }} lines and its {@code default_backend}:
 * the proxy's {@link Upstream}, which routes each connection once ({@link #route}) by its
 * client's address (the one a PROXY header gave, with {@code accept-proxy}, as HAProxy's
 * {@code src} is), and then leaves every attempt to the chosen backend's group. Immutable: a
 * reload makes a new router. The groups are the deployment's, started and stopped by it, so
 * this router's own {@code start}/{@code stop} do nothing.
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

    BackendRouter(List<Route> routes, UpstreamGroup defaultBackend) {
        this.routes = List.copyOf(routes);
        this.defaultBackend = defaultBackend;
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
