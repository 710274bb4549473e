package dev.zeroproxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An {@link UpstreamServer} whose weight and active count a test sets; no socket behind it. */
final class FakeServer implements UpstreamServer {
    private final String name;
    private final boolean backup;
    private volatile int weight;
    private volatile int active;

    FakeServer(String name, int weight) {
        this(name, weight, false);
    }

    FakeServer(String name, int weight, boolean backup) {
        this.name = name;
        this.weight = weight;
        this.backup = backup;
    }

    /** Servers named s0, s1, ... with the given weights. */
    static List<FakeServer> weighted(int... weights) {
        List<FakeServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(new FakeServer("s" + i, weights[i]));
        }
        return servers;
    }

    /** {@code count} servers of weight 1, named s0, s1, ... */
    static List<FakeServer> equal(int count) {
        int[] weights = new int[count];
        Arrays.fill(weights, 1);
        return weighted(weights);
    }

    FakeServer active(int active) {
        this.active = active;
        return this;
    }

    void opened() {
        active++;
    }

    void weight(int weight) {
        this.weight = weight;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 8000);
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int activeConnections() {
        return active;
    }

    @Override
    public boolean backup() {
        return backup;
    }

    @Override
    public String toString() {
        return name;
    }
}
