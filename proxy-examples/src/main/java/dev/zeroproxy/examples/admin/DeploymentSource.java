package dev.zeroproxy.examples.admin;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import dev.zeroproxy.config.Deployment;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link StatsSource#of(Deployment)}: a configuration file's frontends (their binds grouped by
 * the frontend each belongs to now) and backends, read from the deployment at each call so that
 * a reload shows at the next request. Thread-safe (the deployment is).
 */
final class DeploymentSource implements StatsSource {
    private final Deployment deployment;

    DeploymentSource(Deployment deployment) {
        this.deployment = Objects.requireNonNull(deployment, "deployment");
    }

    @Override
    public List<Frontend> frontends() {
        // Two calls, each consistent in itself: a reload between them may leave a bind without
        // a name (shown under its address) or a name without the bind (left out) for one request.
        Map<InetSocketAddress, Proxy> proxies = deployment.proxies();
        Map<InetSocketAddress, String> names = deployment.frontends();
        Map<String, List<Bind>> binds = new LinkedHashMap<>();
        proxies.forEach((address, proxy) -> binds.computeIfAbsent(
                names.getOrDefault(address, address.getHostString() + ":" + address.getPort()),
                name -> new ArrayList<>()).add(new Bind(address, proxy)));
        List<Frontend> frontends = new ArrayList<>();
        binds.forEach((name, list) -> frontends.add(new Frontend(name, list)));
        return frontends;
    }

    @Override
    public List<Backend> backends() {
        List<Backend> backends = new ArrayList<>();
        deployment.backends().forEach((name, group) -> backends.add(new Backend(name, group)));
        return backends;
    }

    @Override
    public long generation() {
        return deployment.generation();
    }

    @Override
    public Transport transport() {
        return deployment.runtime().transport();
    }

    @Override
    public int eventLoops() {
        return deployment.runtime().eventLoops();
    }

    @Override
    public int maxConnections() {
        return deployment.runtime().maxConnections();
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        return deployment.runtime().eventLoopGroup();
    }
}
