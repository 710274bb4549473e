package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The proxy could not bind its listening address (in use, not local, no permission).
 * Thrown by {@link ProxyBuilder#start()}; nothing is left bound or running.
 */
public final class ProxyBindException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient InetSocketAddress address;

    /** Creates the exception for {@code address}, keeping the operating system's cause. */
    public ProxyBindException(InetSocketAddress address, Throwable cause) {
        super("cannot bind " + Objects.requireNonNull(address, "address").getHostString() + ":"
                + address.getPort() + ": " + (cause == null ? "unknown cause" : cause.getMessage()), cause);
        this.address = address;
    }

    /** The address that could not be bound. */
    public InetSocketAddress address() {
        return address;
    }
}
