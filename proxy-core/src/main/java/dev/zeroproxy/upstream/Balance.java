package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The built-in ways to pick a server of an upstream group, each named by the keyword a
 * configuration file uses ({@code balance leastconn}).
 *
 * <p>Every balancer picks only among the servers the group calls usable (up, not draining,
 * below its connection limit, not already tried by this connection; backups only while no
 * primary is usable), so none of them needs a case for backups or for servers that are down.
 *
 * <pre>{@code
 * Balancer balancer = Balance.ofKeyword("leastconn").newBalancer();
 * }</pre>
 *
 * <p>Immutable and thread-safe; each {@link #newBalancer()} is a new balancer with its own state.
 */
public enum Balance {

    /**
     * Smooth weighted round robin, as nginx's default: each server gets exactly its weight's
     * share of the connections, spread out (weights 5, 1, 1 give a a b a c a a, not five a in a
     * row). HAProxy's {@code balance roundrobin}, nginx's default, Envoy's {@code ROUND_ROBIN}.
     *
     * <p>Choose it when connections are short and alike (one request each), so that counting
     * them is as good as measuring load.
     */
    ROUND_ROBIN("roundrobin", SmoothWeightedRoundRobin::new),

    /**
     * Weighted least connections: the server with the fewest active connections per unit of
     * weight; among equals, the next one in turn. HAProxy's {@code balance leastconn}, nginx's
     * {@code least_conn}; Envoy's {@code LEAST_REQUEST} samples two hosts instead of comparing
     * all (see {@link #RANDOM_TWO_CHOICES}).
     *
     * <p>Choose it when connections last long and vary in length (databases, message brokers,
     * WebSockets, LDAP): round robin would keep sending to a server still holding the long ones.
     * It reads every server's count on each pick, so its cost grows with the group.
     */
    LEAST_CONNECTIONS("leastconn", LeastConnections::new),

    /**
     * The power of two choices: two distinct servers at random, and of those the one with fewer
     * active connections per unit of weight. nginx's {@code random two least_conn}, HAProxy's
     * {@code balance random(2)}, Envoy's {@code LEAST_REQUEST} (two choices by default, when
     * weights are equal).
     *
     * <p>Choose it for long connections like {@code leastconn} when the group is large, or when
     * several proxies (or event loops) pick at once from counts that lag: everyone sending to
     * the one least-loaded server at the same moment is what picking the minimum does, and two
     * random candidates avoid that herd, yet never pick the busiest server while another is
     * less loaded. Its cost does not grow with the group.
     */
    RANDOM_TWO_CHOICES("random2", RandomTwoChoices::new),

    /**
     * Consistent hashing on the client's IP address (not its port): a client keeps reaching
     * the same server while that server is usable; when it is not, only its clients move, to
     * the next server on the ring, and come back when it returns. Removing or adding a server
     * moves only that server's share of clients. HAProxy's {@code balance source} with
     * {@code hash-type consistent}, nginx's {@code hash $remote_addr consistent}, Envoy's
     * {@code RING_HASH} keyed on the source IP.
     *
     * <p>Choose it when a client must come back to the same server (sessions kept in a
     * server's memory, caches warmed per client). Clients behind one NAT share one address
     * and so one server, and the spread ignores load.
     */
    SOURCE_HASH("source", SourceHash::new);

    private final String keyword;
    private final Supplier<Balancer> factory;

    Balance(String keyword, Supplier<Balancer> factory) {
        this.keyword = keyword;
        this.factory = factory;
    }

    /** The configuration keyword: {@code roundrobin}, {@code leastconn}, {@code random2} or {@code source}. */
    public String keyword() {
        return keyword;
    }

    /** A new balancer of this kind, with its own state: one per upstream group. */
    public Balancer newBalancer() {
        return factory.get();
    }

    /**
     * The balance named by a configuration keyword, matched exactly (keywords are lower case).
     *
     * @throws IllegalArgumentException if no balance has that keyword; the message names the
     *     value and the keywords expected
     */
    public static Balance ofKeyword(String keyword) {
        Objects.requireNonNull(keyword, "keyword");
        for (Balance balance : values()) {
            if (balance.keyword.equals(keyword)) {
                return balance;
            }
        }
        throw new InvalidSettingException("balance", "'" + keyword + "'", "one of "
                + Arrays.stream(values()).map(Balance::keyword).collect(Collectors.joining(", ")));
    }
}
