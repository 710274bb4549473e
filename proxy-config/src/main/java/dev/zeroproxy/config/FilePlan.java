package dev.zeroproxy.config;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A parsed file turned into what the library builds, every setting checked by the library's own
 * builders, with nothing started or bound: what {@code zeroproxy check} reports on, and what a
 * start or a reload applies only once it is whole. The stats section is not the proxy's: it is
 * only checked not to share an address with a frontend. Errors are gathered per section, so that one
 * run reports each bad section.
 */
final class FilePlan {
    private final ProxyFile file;
    private final Map<String, BackendPlan> backends;
    private final Map<String, FrontendPlan> frontends;

    private FilePlan(ProxyFile file, Map<String, BackendPlan> backends, Map<String, FrontendPlan> frontends) {
        this.file = file;
        this.backends = backends;
        this.frontends = frontends;
    }

    /** @throws ConfigException with every error found */
    static FilePlan of(ProxyFile file) {
        List<ConfigError> errors = new ArrayList<>();
        checkRuntime(file.global(), errors);
        Map<String, BackendPlan> backends = new LinkedHashMap<>();
        for (BackendSection backend : file.backends()) {
            try {
                backends.put(backend.name(), BackendPlan.of(backend));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        Map<String, FrontendPlan> frontends = new LinkedHashMap<>();
        Map<InetSocketAddress, BindLine> binds = new LinkedHashMap<>();
        for (FrontendSection frontend : file.frontends()) {
            for (BindLine bind : frontend.binds()) {
                BindLine first = binds.putIfAbsent(bind.address(), bind);
                if (first != null) {
                    errors.add(new ConfigError(bind.where(), "bind", bind.address() + " is bound twice (first at "
                            + first.where() + ")", "each address bound by one bind line", null));
                }
            }
            try {
                frontends.put(frontend.name(), FrontendPlan.of(frontend, file));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        BindLine taken = file.stats().map(stats -> binds.get(stats.address().value())).orElse(null);
        if (taken != null) {
            Located<InetSocketAddress> stats = file.stats().get().address();
            errors.add(new ConfigError(stats.where(), "bind", stats.value() + " is bound by the stats section and "
                    + "by a frontend (at " + taken.where() + ")", "an address of its own for the stats section", null));
        }
        if (!errors.isEmpty()) {
            // The loops' settings are checked once here and again by each frontend's builder: one error each.
            errors = new ArrayList<>(new LinkedHashSet<>(errors));
            errors.sort((a, b) -> a.where().line() != b.where().line() ? Integer.compare(a.where().line(),
                    b.where().line()) : Integer.compare(a.where().column(), b.where().column()));
            throw new ConfigException(errors);
        }
        return new FilePlan(file, backends, frontends);
    }

    /** The runtime's settings, checked as {@link ProxyRuntime.Builder#start()} would, without starting it. */
    private static void checkRuntime(GlobalSection global, List<ConfigError> errors) {
        Attribution attribution = new Attribution(new SourcePosition("global", 0, 0), "global")
                .set("transport", global.transport()).set("eventLoops", global.nbThread())
                .set("maxConnections", global.maxConn());
        try {
            runtimeBuilder(global);
            if (global.transport() != null) {
                Transport transport = Transport.named(global.transport().value());
                if (!transport.isAvailable()) {
                    throw InvalidSettingException.notHere("transport", transport.name(), transport.name()
                            + " is not available here", "an available transport ("
                            + transport.unavailabilityCause() + ")", null);
                }
            }
            if (global.nbThread() != null && (global.nbThread().value() < 1 || global.nbThread().value() > 4096)) {
                throw InvalidSettingException.outOfRange("eventLoops", global.nbThread().value(), 1, 4096, "");
            }
            if (global.maxConn() != null && global.maxConn().value() < 0) {
                throw InvalidSettingException.outOfRange("maxConnections", global.maxConn().value(), 0,
                        Integer.MAX_VALUE, "");
            }
        } catch (InvalidSettingException e) {
            errors.add(attribution.explain(e));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(global.transport().where(), "transport", e.getMessage(),
                    "nio, epoll or io_uring", null));
        }
    }

    /** The runtime's builder for these global settings (not started). */
    static ProxyRuntime.Builder runtimeBuilder(GlobalSection global) {
        ProxyRuntime.Builder runtime = ProxyRuntime.builder();
        if (global.transport() != null) {
            runtime.transport(Transport.named(global.transport().value()));
        }
        if (global.nbThread() != null) {
            runtime.eventLoops(global.nbThread().value());
        }
        if (global.maxConn() != null) {
            runtime.maxConnections(global.maxConn().value());
        }
        return runtime;
    }

    ProxyFile file() {
        return file;
    }

    Map<String, BackendPlan> backends() {
        return backends;
    }

    Map<String, FrontendPlan> frontends() {
        return frontends;
    }
}
