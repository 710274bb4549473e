package dev.zeroproxy.config;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.HealthCheck;
import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.time.Duration;

/**
 * A backend section as the library's {@link UpstreamGroup.Builder}: balance, retries, timeouts
 * and each server line, with HAProxy's defaults where the file is silent (round robin, 3
 * retries, checks every 2 s, rise 2, fall 3). Checked once when the plan is made, so that
 * {@link #builder()} cannot fail later.
 */
final class BackendPlan {
    /** The longest timeout the library's timers take: what HAProxy's 0, "none", becomes. */
    private static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);

    private final BackendSection section;

    private BackendPlan(BackendSection section) {
        this.section = section;
    }

    /**
     * @throws ConfigException at the line of the first setting the library refuses
     */
    static BackendPlan of(BackendSection section) {
        Located<Boolean> redispatch = section.redispatch();
        if (redispatch != null && !redispatch.value()) {
            // Never ignored: a file that asks for retries on the same server must not get others.
            throw new ConfigException(new ConfigError(redispatch.where(), redispatch.keyword(),
                    "ZeroProxy cannot keep a connection's retries on the server that failed: each retry goes to"
                    + " another server when there is one (HAProxy's option redispatch, on every retry)",
                    "option redispatch, or no redispatch line", null));
        }
        BackendPlan plan = new BackendPlan(section);
        plan.builder().build();
        return plan;
    }

    BackendSection section() {
        return section;
    }

    String name() {
        return section.name();
    }

    /** A new builder of the group: each call a fresh one (builders are mutable). */
    UpstreamGroup.Builder builder() {
        Attribution attribution = new Attribution(section.where(), "backend");
        attribution.set("retries", section.retries()).set("queueTimeout", section.timeoutQueue())
                .set("connectTimeout", section.timeoutConnect());
        try {
            UpstreamGroup.Builder group = UpstreamGroup.builder(section.name())
                    .balance(section.balance() == null ? Balance.ROUND_ROBIN : section.balance().value());
            if (section.retries() != null) {
                group.retries(section.retries().value());
            }
            // HAProxy's timeout queue defaults to timeout connect: written out, so that a reload
            // changing timeout connect changes it too (the group's own default is fixed at its start).
            Located<Duration> queue = section.timeoutQueue() != null ? section.timeoutQueue() : section.timeoutConnect();
            group.queueTimeout(queue != null ? noneIsLongest(queue.value()) : ProxyBuilder.DEFAULT_CONNECT_TIMEOUT);
            if (section.timeoutConnect() != null) {
                group.connectTimeout(noneIsLongest(section.timeoutConnect().value()));
            }
            for (ServerLine server : section.servers()) {
                group.server(server(server, attribution));
            }
            // Checked here, so that the error is located; build() checks again at the start.
            group.build();
            return group;
        } catch (InvalidSettingException e) {
            throw new ConfigException(attribution.explain(e));
        }
    }

    /**
     * HAProxy's 0 is "no timeout"; the library's timers want a bound: the longest it takes
     * ({@code Integer.MAX_VALUE} ms, 24 days), which is none in practice.
     */
    static Duration noneIsLongest(Duration timeout) {
        return timeout.isZero() ? LONGEST : timeout;
    }

    private ServerSpec server(ServerLine line, Attribution attribution) {
        String prefix = "server " + line.name() + " ";
        attribution.set(prefix + "weight", line.weight()).set(prefix + "maxConnections", line.maxConn())
                .set("healthCheck.interval", line.inter()).set("healthCheck.rise", line.rise())
                .set("healthCheck.fall", line.fall()).set("healthCheck.timeout", section.timeoutCheck());
        ServerSpec spec = ServerSpec.of(line.name(), line.address());
        if (line.weight() != null) {
            spec = spec.weight(line.weight().value());
        }
        if (line.maxConn() != null) {
            spec = spec.maxConnections(line.maxConn().value());
        }
        spec = spec.backup(line.backup());
        if (line.sendProxy() == 1) {
            spec = spec.sendProxyProtocol(ProxyProtocolSend.v1());
        } else if (line.sendProxy() == 2) {
            spec = spec.sendProxyProtocol(ProxyProtocolSend.v2());
        }
        if (line.source() != null) {
            spec = spec.source(line.source().value());
        } else if (section.source() != null) {
            spec = spec.source(section.source().value());
        }
        return line.check() ? spec.healthCheck(check(line)) : spec.unchecked();
    }

    /**
     * HAProxy's check timing for a connect-only check: every {@code inter}; the whole check may
     * take {@code inter}, or, with {@code timeout check} set, the lesser of {@code timeout connect}
     * and {@code inter} to connect.
     */
    private HealthCheck check(ServerLine line) {
        Duration inter = line.inter() != null ? line.inter().value() : HealthCheck.DEFAULT_INTERVAL;
        Duration timeout = inter;
        if (section.timeoutCheck() != null && section.timeoutConnect() != null
                && !section.timeoutConnect().value().isZero() && section.timeoutConnect().value().compareTo(inter) < 0) {
            timeout = section.timeoutConnect().value();
        }
        HealthCheck.Builder check = HealthCheck.builder().interval(inter).timeout(timeout);
        if (line.rise() != null) {
            check.rise(line.rise().value());
        }
        if (line.fall() != null) {
            check.fall(line.fall().value());
        }
        return check.build();
    }
}
