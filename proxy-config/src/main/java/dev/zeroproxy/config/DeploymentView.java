package dev.zeroproxy.config;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A running {@link Deployment} at one moment, taken whole under its lock ({@link Deployment#view}):
 * what an admin endpoint or a metrics layer enumerates, each frontend with its binds' proxies and
 * each backend with its group, all of one generation, so that a reload never shows half-applied.
 * Immutable; the proxies and groups in it are live (a proxy of a bind a later reload removed
 * drains, then is closed).
 *
 * @param generation the configuration's number ({@link Deployment#generation})
 * @param file the file running
 * @param runtime the loops every frontend shares
 * @param frontends each frontend by name, in file order (the stats section is not one)
 * @param backends each backend's group by name, in file order
 */
public record DeploymentView(long generation, ProxyFile file, ProxyRuntime runtime, Map<String, Frontend> frontends,
        Map<String, UpstreamGroup> backends) {

    /** Copies the maps, keeping their order. */
    public DeploymentView {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(runtime, "runtime");
        frontends = Collections.unmodifiableMap(new LinkedHashMap<>(frontends));
        backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    }

    /**
     * A frontend section running: one proxy per bind address.
     *
     * @param name the section's name
     * @param binds its bind addresses, in file order
     */
    public record Frontend(String name, List<Bind> binds) {
        /** Copies the list. */
        public Frontend {
            Objects.requireNonNull(name, "name");
            binds = List.copyOf(binds);
        }
    }

    /**
     * One bind address and the proxy listening on it.
     *
     * @param address the address as written in the file (port 0 stays 0: the proxy's
     *     {@link Proxy#localAddress()} has the port bound)
     * @param proxy its proxy
     */
    public record Bind(InetSocketAddress address, Proxy proxy) {
        /** Checks the parts. */
        public Bind {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(proxy, "proxy");
        }
    }
}
