package dev.zeroproxy.examples.admin;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.Transport;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.upstream.UpstreamGroup;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Objects;

/** {@link StatsSource#of(String, Proxy)}: one proxy, one frontend, one backend. Thread-safe. */
final class SingleProxySource implements StatsSource {
    private final String frontendName;
    private final Proxy proxy;

    SingleProxySource(String frontendName, Proxy proxy) {
        this.frontendName = Objects.requireNonNull(frontendName, "frontendName");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public List<Frontend> frontends() {
        return List.of(new Frontend(frontendName, List.of(new Bind(proxy.config().listen(), proxy))));
    }

    @Override
    public List<Backend> backends() {
        Upstream upstream = proxy.config().upstream();
        if (upstream instanceof UpstreamGroup group) {
            return List.of(new Backend(group.name(), group));
        }
        // A single address: Upstream.of names it by its address.
        return List.of(new Backend(upstream.name() != null ? upstream.name() : upstream.toString(), null));
    }

    @Override
    public long generation() {
        return proxy.generation();
    }

    @Override
    public Transport transport() {
        return proxy.config().transport();
    }

    @Override
    public int eventLoops() {
        ProxyConfig config = proxy.config();
        return config.runtime().map(runtime -> runtime.eventLoops()).orElse(config.eventLoops());
    }

    @Override
    public int maxConnections() {
        return proxy.config().maxConnections();
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        return proxy.eventLoopGroup();
    }
}
