package dev.zeroproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Finds the addresses of a host name written in a file. The parser calls it only for names, never
 * for address literals; tests give their own so that they need no DNS.
 */
@FunctionalInterface
interface HostResolver {
    /** The system's resolver: {@code /etc/hosts}, then DNS. */
    HostResolver SYSTEM = host -> {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    };

    /** The host's addresses, in the resolver's order; empty when it has none or is unknown. */
    List<InetAddress> resolve(String host);
}
