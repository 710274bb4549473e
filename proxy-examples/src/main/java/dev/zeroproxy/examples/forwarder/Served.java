package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import java.time.Duration;

/**
 * What {@link UntilSignal} serves until it is stopped: one proxy ({@code forward}) or a whole
 * configuration file ({@code run}), seen through what the signals need.
 */
interface Served {
    /** The figures now, for a status line and the stop summary. */
    ProxyStats stats();

    /** How long a stop lets connections finish. */
    Duration drainTimeout();

    /**
     * SIGHUP: reload, and say in one line what changed.
     *
     * @throws IllegalArgumentException why nothing changed (the message is logged as it is)
     * @throws UnsupportedOperationException if there is nothing to reload
     */
    String reload();

    /** Stops serving; blocks while draining; an interrupt ends the drain. */
    void close();

    /** One proxy, which has nothing to reload. */
    static Served of(Proxy proxy) {
        return new Served() {
            @Override
            public ProxyStats stats() {
                return proxy.stats();
            }

            @Override
            public Duration drainTimeout() {
                return proxy.config().drainTimeout();
            }

            @Override
            public String reload() {
                throw new UnsupportedOperationException("forward has no configuration file to reload (run -f FILE"
                        + " reloads on SIGHUP); still serving as started");
            }

            @Override
            public void close() {
                proxy.close();
            }
        };
    }
}
