package dev.zeroproxy.config;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A frontend section as one {@link ProxyBuilder} per bind address: the routes to its backends,
 * the access rules, the limits and the timeouts, HAProxy's client- and server-side timeouts
 * folded into the library's two (see docs/configuration.md, "Timeouts").
 */
final class FrontendPlan {
    /** What a router checked without a deployment routes to: never used to connect. */
    private static final UpstreamGroup PLACEHOLDER = UpstreamGroup.builder("check")
            .server("check", new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)).build();

    private final FrontendSection section;
    private final GlobalSection global;
    private final List<BackendSection> reachable;
    private final AccessRules accessRules;
    private final Located<Duration> idleTimeout;
    private final Located<Duration> halfClosedTimeout;

    private FrontendPlan(FrontendSection section, GlobalSection global, List<BackendSection> reachable) {
        this.section = section;
        this.global = global;
        this.reachable = reachable;
        this.accessRules = AccessTranslation.translate(section.rules());
        this.idleTimeout = idleTimeout(section, reachable);
        this.halfClosedTimeout = halfClosedTimeout(section, reachable);
    }

    /** @throws ConfigException at the line of the first setting the library refuses */
    static FrontendPlan of(FrontendSection section, ProxyFile file) {
        List<BackendSection> reachable = new ArrayList<>();
        file.backend(section.defaultBackend().value()).ifPresent(reachable::add);
        for (UseBackendLine line : section.useBackends()) {
            file.backend(line.backend()).filter(b -> !reachable.contains(b)).ifPresent(reachable::add);
        }
        FrontendPlan plan;
        try {
            plan = new FrontendPlan(section, file.global(), reachable);
        } catch (InvalidSettingException e) {
            // A rule's block the library refuses (the parser checked each, so this is rare).
            throw new ConfigException(new ConfigError(section.where(), "tcp-request", e.getMessage(),
                    e.expected(), null));
        }
        for (BindLine bind : section.binds()) {
            // Checked without a runtime: the same settings the start will give, minus the loops.
            plan.builder(bind, null, null, null, ProxyListener.NOOP).build();
        }
        return plan;
    }

    FrontendSection section() {
        return section;
    }

    /**
     * The builder of the proxy on {@code bind}.
     *
     * @param runtime the deployment's; null to check the settings only (then the transport and
     *     loop count come from the global section, as the runtime's would)
     * @param backends the deployment's groups by name; null to check only (a placeholder group)
     * @param users the deployment's count of the groups' users; null to check only
     */
    ProxyBuilder builder(BindLine bind, ProxyRuntime runtime, Map<String, UpstreamGroup> backends, GroupUsers users,
            ProxyListener listener) {
        Attribution attribution = new Attribution(bind.where(), "bind")
                .set("maxConnections", section.maxConn()).set("idleTimeout", idleTimeout)
                .set("halfClosedTimeout", halfClosedTimeout).set("forwarding", section.forwarding())
                .set("spliceThreshold", section.spliceThreshold()).set("transport", global.transport())
                .set("eventLoops", global.nbThread()).set("drainTimeout", global.hardStopAfter());
        try {
            ProxyBuilder proxy = Proxy.builder()
                    .listen(bind.address())
                    .accessRules(accessRules)
                    .listener(listener)
                    .upstream(router(backends, users));
            if (runtime != null) {
                proxy.runtime(runtime);
            } else {
                if (global.transport() != null) {
                    proxy.transport(Transport.named(global.transport().value()));
                }
                if (global.nbThread() != null) {
                    proxy.eventLoops(global.nbThread().value());
                }
            }
            if (section.maxConn() != null) {
                proxy.maxConnections(section.maxConn().value());
            }
            if (idleTimeout != null) {
                proxy.idleTimeout(idleTimeout.value());
            }
            if (halfClosedTimeout != null) {
                proxy.halfClosedTimeout(halfClosedTimeout.value());
            }
            if (global.hardStopAfter() != null) {
                proxy.drainTimeout(global.hardStopAfter().value());
            }
            if (section.forwarding() != null) {
                proxy.forwarding(section.forwarding().value());
            }
            if (section.spliceThreshold() != null) {
                proxy.spliceThreshold(section.spliceThreshold().value());
            }
            if (bind.acceptProxy()) {
                // HAProxy's accept-proxy trusts every client of the bind; restrict it with tcp-request rules.
                proxy.acceptProxyProtocol(ProxyProtocolAccept.from("all"));
            }
            proxy.build();
            return proxy;
        } catch (InvalidSettingException e) {
            throw new ConfigException(attribution.explain(e));
        }
    }

    private BackendRouter router(Map<String, UpstreamGroup> backends, GroupUsers users) {
        List<BackendRouter.Route> routes = new ArrayList<>();
        for (UseBackendLine line : section.useBackends()) {
            routes.add(new BackendRouter.Route(BackendRouter.blocksOf(line.condition()),
                    line.condition().negated(), group(line.backend(), backends)));
        }
        return new BackendRouter(routes, group(section.defaultBackend().value(), backends), users);
    }

    private static UpstreamGroup group(String name, Map<String, UpstreamGroup> backends) {
        if (backends == null) {
            // Checking only: any group will do, the router is not used.
            return PLACEHOLDER;
        }
        return backends.get(name);
    }

    /**
     * HAProxy closes a side silent for its timeout ({@code timeout client} on the client's,
     * {@code timeout server} on the server's), and a tunnel for {@code timeout tunnel}, which
     * replaces both; the library has one timeout for silence both ways. It is the longest any
     * backend this frontend routes to would allow: tunnel, else the longer of client and server.
     * Null when the file sets none (the library's default then).
     */
    private static Located<Duration> idleTimeout(FrontendSection frontend, List<BackendSection> reachable) {
        Located<Duration> longest = null;
        for (BackendSection backend : reachable) {
            Located<Duration> own = backend.timeoutTunnel() != null ? backend.timeoutTunnel()
                    : longer(frontend.timeoutClient(), backend.timeoutServer());
            longest = longer(longest, own);
        }
        return reachable.isEmpty() ? frontend.timeoutClient() : longest;
    }

    /** The shortest of {@code timeout client-fin} and the reachable backends' {@code timeout server-fin}. */
    private static Located<Duration> halfClosedTimeout(FrontendSection frontend, List<BackendSection> reachable) {
        Located<Duration> shortest = frontend.timeoutClientFin();
        for (BackendSection backend : reachable) {
            Located<Duration> own = backend.timeoutServerFin();
            if (own != null && shorter(own, shortest)) {
                shortest = own;
            }
        }
        return shortest;
    }

    /** Whether {@code a} is shorter than {@code than} (absent); HAProxy's 0 is "no timeout": the longest of all. */
    private static boolean shorter(Located<Duration> a, Located<Duration> than) {
        if (than == null) {
            return true;
        }
        if (a.value().isZero()) {
            return false;
        }
        return than.value().isZero() || a.value().compareTo(than.value()) < 0;
    }

    private static Located<Duration> longer(Located<Duration> a, Located<Duration> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        // HAProxy's 0 is "no timeout": the longest of all.
        if (a.value().isZero() || b.value().isZero()) {
            return a.value().isZero() ? a : b;
        }
        return a.value().compareTo(b.value()) >= 0 ? a : b;
    }
}
