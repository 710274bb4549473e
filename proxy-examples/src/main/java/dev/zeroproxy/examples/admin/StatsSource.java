package dev.zeroproxy.examples.admin;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.config.Deployment;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What the admin endpoint shows, asked afresh for each request: the frontends with their
 * proxies, the backends with their groups, and the facts of the runtime they share. One
 * implementation serves {@code zeroproxy forward} (one proxy, {@link #of(String, Proxy)}),
 * another a configuration file ({@link #of(Deployment)}), whose frontends and backends change
 * with each reload.
 *
 * <p>Implementations must be thread-safe. Their methods may block briefly (a deployment's are
 * synchronized with its reload), so the admin server calls them on its own worker thread, never
 * on an event loop.
 */
public interface StatsSource {

    /**
     * One listening address of a frontend.
     *
     * @param configured the address as configured (port 0 for "any free port")
     * @param proxy the proxy listening on it
     */
    record Bind(InetSocketAddress configured, Proxy proxy) {
        /** Checks that both are set. */
        public Bind {
            Objects.requireNonNull(configured, "configured");
            Objects.requireNonNull(proxy, "proxy");
        }
    }

    /**
     * A frontend: a name and its binds, each a proxy.
     *
     * @param name the frontend's name
     * @param binds its listening addresses
     */
    record Frontend(String name, List<Bind> binds) {
        /** Copies the binds. */
        public Frontend {
            Objects.requireNonNull(name, "name");
            binds = List.copyOf(binds);
        }
    }

    /**
     * A backend: a group of servers, or a single address without one.
     *
     * @param name the backend's name (a group's name, or the address for a single one)
     * @param group its servers, or null for a single address
     */
    record Backend(String name, UpstreamGroup group) {
        /** Checks that the name is set. */
        public Backend {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The frontends now, in configuration order. */
    List<Frontend> frontends();

    /** The backends now, in configuration order. */
    List<Backend> backends();

    /** The number of the configuration now: 1 at the start, one more per reload. */
    long generation();

    /** The transport every frontend runs on. */
    Transport transport();

    /** The number of event loop threads. */
    int eventLoops();

    /** The most connections at once over every frontend; 0 for no limit. */
    int maxConnections();

    /** The event loops the admin server is to share with the proxies. */
    EventLoopGroup eventLoopGroup();

    /**
     * {@code zeroproxy forward}'s single proxy as one frontend called {@code frontendName}, and
     * its upstream as one backend: its group, or its single address.
     */
    static StatsSource of(String frontendName, Proxy proxy) {
        return new SingleProxySource(frontendName, proxy);
    }

    /** A configuration file's running frontends and backends. */
    static StatsSource of(Deployment deployment) {
        return new DeploymentSource(deployment);
    }
}
