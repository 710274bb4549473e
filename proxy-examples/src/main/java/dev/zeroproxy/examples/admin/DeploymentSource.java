package dev.zeroproxy.examples.admin;

import dev.zeroproxy.Transport;
import dev.zeroproxy.config.Deployment;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
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
        // One view: the binds and the frontend each belongs to, from one generation.
        List<Frontend> frontends = new ArrayList<>();
        deployment.view().frontends().forEach((name, frontend) -> {
            List<Bind> binds = new ArrayList<>();
            frontend.binds().forEach(bind -> binds.add(new Bind(bind.address(), bind.proxy())));
            frontends.add(new Frontend(name, binds));
        });
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
