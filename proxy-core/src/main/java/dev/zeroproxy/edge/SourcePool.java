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
import java.util.concurrent.atomic.AtomicInteger;

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
        /** Each address in turn, over all connects of the proxy: the ports are used evenly. */
        ROUND_ROBIN,
        /**
         * By a hash of the client's IP address (not its port): a client's upstream connections
         * always leave from the same source address, for servers that tie state or allow-lists
         * to it. The spread is as even as the clients' addresses are many.
         */
        CLIENT_HASH
    }

    private static final String SETTING = "sourcePool";

    private final Mode mode;
    private final InetAddress[] addresses;
    private final List<InetAddress> addressList;
    /** The next round-robin index; wraps around at 2^32, which floorMod keeps in range. */
    private final AtomicInteger next = new AtomicInteger();

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
     * The source address for an upstream connection of {@code client}: the next in turn
     * ({@link Mode#ROUND_ROBIN}) or the one {@code client}'s IP address hashes to
     * ({@link Mode#CLIENT_HASH}; an unresolved client gets the first). Any thread; allocation-free.
     */
    public InetAddress pick(InetSocketAddress client) {
        InetAddress[] pool = addresses;
        if (pool.length == 1) {
            return pool[0];
        }
        if (mode == Mode.ROUND_ROBIN) {
            return pool[Math.floorMod(next.getAndIncrement(), pool.length)];
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
