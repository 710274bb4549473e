package dev.zeroproxy.bench;

import java.net.InetSocketAddress;

/**
 * A started {@link ProxyPath}: where clients connect, and which threads do the path's work.
 * Closing it stops the proxy (for {@code direct}, nothing). Not thread-safe: a benchmark's
 * trial setup and teardown own it.
 */
interface RunningPath extends AutoCloseable {

    /** The address a client connects to: the proxy's listening address, or the upstream's for {@code direct}. */
    InetSocketAddress address();

    /**
     * The name prefix of the threads that do this path's work, for {@link ThreadCpuMeter}, or
     * {@code null} when the path has no threads of its own ({@code direct}).
     */
    String threadNamePrefix();

    /**
     * Renders a metered path's meters as a Prometheus scrape does ({@code -p metrics=on}); does
     * nothing for a path not metered.
     */
    default void scrapeMetrics() { }

    /** Stops the path and waits until its threads have ended. */
    @Override
    void close();
}
