package dev.zeroproxy.bench;

import dev.zeroproxy.Upstream;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a ZeroProxy path relays to: the values of {@link ConnectionSetupBenchmark}'s
 * {@code upstream} parameter. {@code single} is {@link Upstream#of}, one address, as every
 * other benchmark uses; the groups are {@link UpstreamGroup}s of three servers with the group's
 * defaults (no active checks, passive ejection on), which the proxy spreads connections over.
 *
 * <p>Only ZeroProxy paths have groups: {@link ProxyPath#start(UpstreamShape, List)} refuses a
 * group for {@code direct} and {@code naive}.
 */
enum UpstreamShape {
    /** One address, {@link Upstream#of(InetSocketAddress)}: the path every other benchmark measures. */
    SINGLE("single", 1, null),
    /** Three servers, {@link Balance#ROUND_ROBIN}. */
    GROUP3("group3", 3, Balance.ROUND_ROBIN),
    /** Three servers, {@link Balance#LEAST_CONNECTIONS}. */
    GROUP3_LEASTCONN("group3-leastconn", 3, Balance.LEAST_CONNECTIONS);

    private final String paramName;
    private final int servers;
    private final Balance balance;

    UpstreamShape(String paramName, int servers, Balance balance) {
        this.paramName = paramName;
        this.servers = servers;
        this.balance = balance;
    }

    /** The {@code upstream} parameter value, e.g. {@code group3}. */
    String paramName() {
        return paramName;
    }

    /** How many upstream servers to start. */
    int servers() {
        return servers;
    }

    /** Whether this is a group, which only ZeroProxy paths can relay to. */
    boolean isGroup() {
        return balance != null;
    }

    /**
     * The shape whose parameter value is {@code name}.
     *
     * @throws IllegalArgumentException naming the known values
     */
    static UpstreamShape named(String name) {
        for (UpstreamShape shape : values()) {
            if (shape.paramName.equals(name)) {
                return shape;
            }
        }
        throw new IllegalArgumentException("upstream: " + name + " (expected one of: "
                + Arrays.stream(values()).map(UpstreamShape::paramName).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The proxy's upstream for these server addresses, one per {@link #servers()}, named
     * {@code s0}, {@code s1}, ...
     */
    Upstream upstream(List<InetSocketAddress> addresses) {
        if (!isGroup()) {
            return Upstream.of(addresses.get(0));
        }
        UpstreamGroup.Builder group = UpstreamGroup.builder(paramName).balance(balance);
        for (int i = 0; i < addresses.size(); i++) {
            group.server("s" + i, addresses.get(i));
        }
        return group.build();
    }

    @Override
    public String toString() {
        return paramName;
    }
}
