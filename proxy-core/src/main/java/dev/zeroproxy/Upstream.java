package dev.zeroproxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Objects;

/**
 * Where a proxy connects for each accepted connection: one address ({@link #of}), or a group
 * of servers with balancing, health checks and retries ({@link dev.zeroproxy.upstream.UpstreamGroup}).
 *
 * <p>For every connect attempt the proxy calls {@link #select} with an {@link UpstreamAttempt},
 * which the upstream answers, at once or later from any thread, with a server to connect to
 * ({@link UpstreamAttempt#connect}) or a refusal ({@link UpstreamAttempt#refuse}). The
 * {@link UpstreamLease} it answers with hears how that attempt went and, if it connected, when
 * the connection ended; that is all a group needs to count connections per server, eject a
 * failing one, or queue a connection until a server has room. A failed attempt is retried up
 * to {@link #retries()} times, each with a new {@code select}.
 *
 * <p>Lifecycle: a proxy calls {@link #start} before its first connection uses the upstream and
 * {@link #stop} once its last connection using it has closed (its lease released): at the
 * proxy's start and close, or, with {@link Proxy#reconfigure}, when a configuration begins to use
 * it and when the last connection of the configurations that used it has closed, so one proxy
 * may start and stop the same upstream more than once; an upstream that runs health checks runs
 * them in between, on the proxy's event loops.
 *
 * <p>Implementations must be thread-safe: {@link #select} is called on every event loop.
 *
 * <pre>{@code
 * Proxy.builder().upstream(Upstream.of(new InetSocketAddress("10.0.0.7", 5432)))
 * }</pre>
 */
public interface Upstream {

    /**
     * Chooses where one connect attempt goes. Called on the connection's event loop: must be
     * fast and must not block. It must answer the attempt exactly once, now or later.
     */
    void select(UpstreamAttempt attempt);

    /**
     * The upstream's name, for logs and metrics ({@link ConnectionInfo#backend()}: a group's
     * name, a configuration file's backend); null (the default) for none.
     */
    default String name() {
        return null;
    }

    /**
     * How many times a failed connect (refused, reset, timed out) is tried again, each attempt
     * with a new {@link #select}; 0 by default: a single address is tried once.
     */
    default int retries() {
        return 0;
    }

    /**
     * The upstream that serves {@code connection}, asked once per connection before its first
     * attempt: this one by default. An upstream that routes (by the client's address, say, to one
     * of several groups) returns the one chosen, whose {@link #select}, {@link #retries()} and
     * {@link #connectTimeout()} then serve every attempt of that connection. Called on the
     * connection's event loop: must be fast and must not block.
     */
    default Upstream route(ConnectionInfo connection) {
        return this;
    }

    /**
     * How long each connect attempt to this upstream may take, if it has a timeout of its own
     * (a backend's {@code timeout connect}); empty by default: the proxy's
     * {@link ProxyBuilder#connectTimeout}.
     */
    default Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    /**
     * Called when the proxy begins to use this upstream (see the class comment), before its first
     * {@link #select}: an upstream that checks its servers starts here, on the runtime's event
     * loops. Does nothing by default.
     *
     * @throws IllegalStateException if this upstream already serves a running proxy
     */
    default void start(UpstreamRuntime runtime) { }

    /**
     * Called when the proxy no longer uses this upstream: its connections using it have closed
     * (at the proxy's close, before its event loops stop). Checks and timers end here. May be
     * called on one of the proxy's event loops: it must not block. Does nothing by default.
     */
    default void stop() { }

    /**
     * An upstream that is always the same address, tried once per connection.
     *
     * @param address the upstream's address; it is used as given, so resolve a host name
     *     beforehand if it must not be resolved again
     */
    static Upstream of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        UpstreamLease lease = () -> address;
        return new Upstream() {
            @Override
            public void select(UpstreamAttempt attempt) {
                attempt.connect(lease);
            }

            @Override
            public String toString() {
                return address.getHostString() + ":" + address.getPort();
            }
        };
    }
}
