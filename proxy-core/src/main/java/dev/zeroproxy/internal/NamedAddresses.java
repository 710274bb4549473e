package dev.zeroproxy.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The address to connect an upstream channel to: the selected upstream address, or an equal one
 * whose {@link InetAddress} carries its literal as host name.
 *
 * <p>Why: once connected, epoll and io_uring channels build their remote address anew, with
 * the requested address's {@link InetSocketAddress#getHostString()} as host name. For an address
 * made from a literal IP and no name (as {@code zeroproxy forward --upstream 127.0.0.1:5432}
 * makes it), that call formats a new String each time, and the channel keeps it for its life:
 * 56 B a pair. Given a name, it returns that name, one String shared by every channel. The
 * address is equal to the given one ({@code equals} compares IP and port); only its
 * {@code toString} gains the name ({@code 127.0.0.1/127.0.0.1:5432}).
 *
 * <p>Holds the last conversion, so a fixed upstream is converted once; an {@link
 * dev.zeroproxy.Upstream} that returns many addresses costs one small object per connection
 * here, as it already does for its own. IPv4 only: an IPv6 address may carry a scope, which the
 * conversion would lose. Thread-safe.
 */
final class NamedAddresses {
    private volatile Named last;

    private record Named(InetSocketAddress given, InetSocketAddress named) { }

    InetSocketAddress of(InetSocketAddress given) {
        Named cached = last;
        if (cached != null && cached.given() == given) {
            return cached.named();
        }
        InetSocketAddress named = name(given);
        last = new Named(given, named);
        return named;
    }

    private static InetSocketAddress name(InetSocketAddress given) {
        if (given.isUnresolved() || !(given.getAddress() instanceof Inet4Address address)) {
            return given;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(given.getHostString(), address.getAddress()),
                    given.getPort());
        } catch (UnknownHostException e) {
            // Only for a byte array of the wrong length, which an Inet4Address never gives.
            return given;
        }
    }
}
