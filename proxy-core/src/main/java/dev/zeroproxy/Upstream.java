package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a proxy connects for each accepted connection.
 *
 * <p>Today an upstream is one address ({@link #of(InetSocketAddress)}); an upstream group
 * with balancing and health checks will implement this same interface, so code that takes an
 * {@code Upstream} keeps working when a group takes the single address's place.
 *
 * <p>Implementations must be thread-safe: {@link #select()} is called on every event loop.
 */
public interface Upstream {

    /**
     * The address to connect to for one new connection. Called on an event loop: must be fast
     * and must not block.
     */
    InetSocketAddress select();

    /**
     * An upstream that is always the same address.
     *
     * @param address the upstream's address; it is used as given, so resolve a host name
     *     beforehand if it must not be resolved again
     */
    static Upstream of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        return new Upstream() {
            @Override
            public InetSocketAddress select() {
                return address;
            }

            @Override
            public String toString() {
                return address.getHostString() + ":" + address.getPort();
            }
        };
    }
}
