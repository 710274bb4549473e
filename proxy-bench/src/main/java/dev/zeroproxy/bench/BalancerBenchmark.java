package dev.zeroproxy.bench;

import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.Balancer;
import dev.zeroproxy.upstream.UpstreamServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What choosing a server costs per connection, for each {@link Balance}, in a group of
 * {@value #SERVERS} servers of weights 1 to 4 that are all usable (the predicate accepts every
 * server, as a healthy group's does).
 *
 * <p>Each operation is one pick for the next of {@value #CLIENTS} client addresses (only
 * {@code source} looks at them). To give {@code leastconn} and {@code random2} loads that move,
 * the picked server's count goes up by one and the connection picked {@value #OPEN} operations
 * earlier closes: a steady {@value #OPEN} open connections, a few nanoseconds of bookkeeping
 * that every balance pays alike.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class BalancerBenchmark {
    static final int SERVERS = 64;
    static final int CLIENTS = 1024;
    static final int OPEN = 256;

    private static final Predicate<UpstreamServer> ALL_USABLE = server -> true;

    /** The {@link Balance#keyword()} of the balance measured. */
    @Param({"roundrobin", "leastconn", "random2", "source"})
    public String balance;

    private Balancer balancer;
    private final InetSocketAddress[] clients = new InetSocketAddress[CLIENTS];
    private final BenchServer[] open = new BenchServer[OPEN];
    private int op;

    /** Builds the group, hands it to a new balancer, and opens the first connections. */
    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        List<BenchServer> servers = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            servers.add(new BenchServer("server-" + i, 1 + i % 4));
        }
        balancer = Balance.ofKeyword(balance).newBalancer();
        balancer.serversChanged(servers);
        for (int i = 0; i < CLIENTS; i++) {
            InetAddress address = InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >>> 8), (byte) i});
            clients[i] = new InetSocketAddress(address, 40000 + i);
        }
        for (int i = 0; i < OPEN; i++) {
            // Varied starting loads, so that leastconn and random2 have something to compare.
            BenchServer server = servers.get(i * 7 % SERVERS);
            server.active++;
            open[i] = server;
        }
    }

    /** One connection: a pick, the picked server's count up, the oldest open connection closed. */
    @Benchmark
    public UpstreamServer pick() {
        int i = op++;
        BenchServer picked = (BenchServer) balancer.pick(clients[i & (CLIENTS - 1)], ALL_USABLE);
        picked.active++;
        int slot = i & (OPEN - 1);
        open[slot].active--;
        open[slot] = picked;
        return picked;
    }

    /** A server with plain fields: the benchmark is single-threaded, and the group's own counters are not measured. */
    private static final class BenchServer implements UpstreamServer {
        private final String name;
        private final int weight;
        private final InetSocketAddress address;
        int active;

        BenchServer(String name, int weight) {
            this.name = name;
            this.weight = weight;
            this.address = InetSocketAddress.createUnresolved(name, 8080);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public InetSocketAddress address() {
            return address;
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
            return false;
        }
    }
}
