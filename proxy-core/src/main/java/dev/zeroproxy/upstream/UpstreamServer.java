package dev.zeroproxy.upstream;

import java.net.InetSocketAddress;

/**
 * A live, read-only view of one server of an upstream group: what a {@link Balancer}
 * weighs when it picks. The values change while the proxy runs (a weight set at runtime,
 * connections opening and closing); each read is current, two reads need not be consistent
 * with each other.
 *
 * <p>Thread-safe. Identity is the server: the group hands a balancer the same object for the
 * same server until the server is removed.
 */
public interface UpstreamServer {

    /** The server's name, unique within its group. */
    String name();

    /** Where connections to this server go. */
    InetSocketAddress address();

    /** The server's weight, 1 to 256; its share of connections is weight / total. */
    int weight();

    /** Connections open or being connected to this server now. */
    int activeConnections();

    /** Whether the server is a backup: used only while no primary server is usable. */
    boolean backup();
}
