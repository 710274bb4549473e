package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyBindException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Makes sure nobody listens on an address before the proxy binds it with SO_REUSEPORT of its own
 * accord. SO_REUSEPORT lets any socket of the same user that sets it too share the port, so
 * a second proxy started on a port the first one serves would bind it without error and take a
 * share of the connections. A plain bind of a socket that does not listen (and so never takes a
 * connection) fails while anyone listens on the address, SO_REUSEPORT or not, so it tells
 * whether the port is taken; it is released before the proxy binds.
 *
 * <p>What it cannot stop: a program of the same user that sets SO_REUSEPORT itself can still
 * join once the proxy listens (the kernel groups such sockets by user, not by process); and two
 * proxies started on the same port at the same instant can both pass the check before either
 * listens, then share the port. A check before a bind cannot close that window; the second
 * proxy started any later than the first one's bind is refused.
 */
final class ExclusiveAddress {
    private ExclusiveAddress() { }

    /** Throws {@link ProxyBindException} if something listens on {@code address} already. */
    static void requireNoListener(InetSocketAddress address) {
        if (address.getPort() == 0) {
            return; // A fresh ephemeral port: nobody can be on it.
        }
        try (Socket probe = new Socket()) {
            // As the listeners do: a port whose old connections linger in TIME_WAIT is still free.
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new ProxyBindException(address, e);
        }
    }
}
