package dev.zeroproxy.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * <p>Keeps each conversion, so a fixed upstream, or each server of a group, is converted once
 * (bounded: past {@link #MAX_KEPT} addresses it starts over, for an {@link dev.zeroproxy.Upstream}
 * that returns ever new ones). IPv4 only: an IPv6 address may carry a scope, which the
 * conversion would lose. Thread-safe.
 */
final class NamedAddresses {
    private static final int MAX_KEPT = 1024;
    private final Map<InetSocketAddress, InetSocketAddress> kept = new ConcurrentHashMap<>();

    InetSocketAddress of(InetSocketAddress given) {
        InetSocketAddress named = kept.get(given);
        if (named != null) {
            return named;
        }
        named = name(given);
        if (kept.size() >= MAX_KEPT) {
            kept.clear();
        }
        kept.put(given, named);
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
