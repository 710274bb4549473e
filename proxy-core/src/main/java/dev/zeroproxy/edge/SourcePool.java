package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The local addresses the proxy's upstream connections leave from, one picked per connect, round
 * robin or by the client's address. Set it with {@link dev.zeroproxy.ProxyBuilder#sourcePool}.
 *
 * <p>Why: an upstream connection is one 4-tuple (source address and port, server address and
 * port). Towards one server address, one source address has at most the kernel's ephemeral port
 * range ({@code net.ipv4.ip_local_port_range}, about 28,000 ports by default) of connections at
 * once; past that, connects fail with {@code EADDRNOTAVAIL}. Each further source address adds a
 * range. Where the transport can (epoll and io_uring), the proxy sets
 * {@code IP_BIND_ADDRESS_NO_PORT} on each upstream socket, so that binding the source address
 * leaves the port to {@code connect()}, which picks it knowing the whole 4-tuple: each source
 * address then has its full range <em>per server</em>. Without it (NIO), {@code bind()} picks
 * the port alone, and one source address's range is shared by all servers together; see
 * {@code docs/edge.md}.
 *
 * <p>The addresses must be local to the machine (or the kernel must allow a non-local bind), and
 * of one family: all IPv4 or all IPv6, matching the upstream servers' family (a connect from an
 * IPv4 source to an IPv6 server fails like any other failed attempt). No wildcard, multicast or
 * duplicate address is accepted.
 *
 * <p>Immutable and thread-safe; {@link #pick} allocates nothing and takes no lock.
 *
 * <pre>{@code
 * Proxy.builder()
 *     .listen(new InetSocketAddress("0.0.0.0", 6432))
 *     .upstream(new InetSocketAddress("10.0.0.7", 5432))
 *     .sourcePool(SourcePool.roundRobin(InetAddress.getByName("10.0.1.2"), InetAddress.getByName("10.0.1.3")))
 *     .start();
 * }</pre>
 */
public final class SourcePool {

    /** How a source address is picked for a connect. */
    public enum Mode {
        /**
         * Each address in turn, per server address: the ports are used evenly, and each server
         * gets connections from every source even when a round-robin group alternates servers in
         * step with the pool (one turn for all servers would give, with 4 sources and 2 servers
         * taken in turn, only 2 sources to each server).
         */
        ROUND_ROBIN,
        /**
         * By a hash of the client's IP address (not its port): a client's upstream connections
         * always leave from the same source address, for servers that tie state or allow-lists
         * to it. The spread is as even as the clients' addresses are many.
         */
        CLIENT_HASH
    }

    private static final String SETTING = "sourcePool";
    private static final int TURN_STRIPES = 64;

    private final Mode mode;
    private final InetAddress[] addresses;
    private final List<InetAddress> addressList;
    /**
     * Round-robin turns, one per stripe of server addresses (by hash): servers that share a
     * stripe share a turn, which costs only evenness between them. Each wraps around at 2^32,
     * which floorMod keeps in range.
     */
    private final AtomicIntegerArray turns = new AtomicIntegerArray(TURN_STRIPES);

    private SourcePool(Mode mode, InetAddress[] addresses) {
        this.mode = mode;
        this.addresses = addresses;
        this.addressList = List.of(addresses);
    }

    /** A pool that uses {@code addresses} in turn; see {@link #of}. */
    public static SourcePool roundRobin(InetAddress... addresses) {
        return of(Mode.ROUND_ROBIN, Arrays.asList(Objects.requireNonNull(addresses, "addresses")));
    }

    /** A pool that gives each client address one of {@code addresses}; see {@link #of}. */
    public static SourcePool clientHash(InetAddress... addresses) {
        return of(Mode.CLIENT_HASH, Arrays.asList(Objects.requireNonNull(addresses, "addresses")));
    }

    /**
     * A pool of {@code addresses}, picked by {@code mode}.
     *
     * @throws NullPointerException if {@code mode}, {@code addresses} or one of them is null
     * @throws InvalidSettingException (setting {@code sourcePool}) if the list is empty, holds a
     *     duplicate, a wildcard or multicast address, or mixes IPv4 and IPv6
     */
    public static SourcePool of(Mode mode, List<? extends InetAddress> addresses) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(addresses, "addresses");
        InetAddress[] copy = new InetAddress[addresses.size()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = Objects.requireNonNull(addresses.get(i), "addresses[" + i + "]");
        }
        if (copy.length == 0) {
            throw new InvalidSettingException(SETTING, "[]", "at least one local address");
        }
        Set<InetAddress> seen = new HashSet<>();
        boolean ipv4 = copy[0] instanceof Inet4Address;
        for (InetAddress address : copy) {
            String text = address.getHostAddress();
            if (address.isAnyLocalAddress()) {
                throw new InvalidSettingException(SETTING, text, "a specific local address, not the wildcard");
            }
            if (address.isMulticastAddress()) {
                throw new InvalidSettingException(SETTING, text, "a unicast local address");
            }
            if (!seen.add(address)) {
                throw new InvalidSettingException(SETTING, text, "each address once");
            }
            if ((address instanceof Inet4Address) != ipv4) {
                throw new InvalidSettingException(SETTING, text, "addresses of one family, "
                        + (ipv4 ? "IPv4" : "IPv6") + " as the first, " + copy[0].getHostAddress());
            }
        }
        return new SourcePool(mode, copy);
    }

    /** How addresses are picked. */
    public Mode mode() {
        return mode;
    }

    /** The addresses, in the order given. */
    public List<InetAddress> addresses() {
        return addressList;
    }

    /**
     * The source address for an upstream connection of {@code client}, to any server: as
     * {@link #pick(InetSocketAddress, InetSocketAddress)} with no server (round robin takes one
     * turn shared by all such calls).
     */
    public InetAddress pick(InetSocketAddress client) {
        return pick(client, null);
    }

    /**
     * The source address for an upstream connection of {@code client} to {@code server}: the
     * next in {@code server}'s turn ({@link Mode#ROUND_ROBIN}), or the one {@code client}'s IP
     * address hashes to ({@link Mode#CLIENT_HASH}; a null or unresolved client gets the first).
     * Any thread; allocation-free and lock-free.
     */
    public InetAddress pick(InetSocketAddress client, InetSocketAddress server) {
        InetAddress[] pool = addresses;
        if (pool.length == 1) {
            return pool[0];
        }
        if (mode == Mode.ROUND_ROBIN) {
            int stripe = server == null ? 0 : Math.floorMod(mix(server.hashCode()), TURN_STRIPES);
            return pool[Math.floorMod(turns.getAndIncrement(stripe), pool.length)];
        }
        InetAddress ip = client == null ? null : client.getAddress();
        return pool[ip == null ? 0 : Math.floorMod(mix(ip.hashCode()), pool.length)];
    }

    /**
     * Spreads the address's hash over all bits (Murmur3's finalizer): an IPv4 address's hash is
     * the address itself, whose low bits alone would map 10.0.0.1 and 10.0.1.1 alike.
     */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(mode.name()).append('[');
        for (int i = 0; i < addresses.length; i++) {
            s.append(i == 0 ? "" : ", ").append(addresses[i].getHostAddress());
        }
        return s.append(']').toString();
    }
}
