package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamRuntime;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which upstreams a proxy's generations use, and how many each: an upstream is started when its
 * first generation comes and stopped when its last is done, so that a reconfigure back to an
 * upstream an older generation still uses neither starts it twice nor has it stopped under the
 * current one. It also holds what the upstreams are lent ({@link CurrentRuntime}): the
 * configuration they hear is the current one, or the next while a reconfigure starts its
 * upstream. Thread-safe: guarded by itself.
 */
final class UpstreamUses {
    private final Map<Upstream, Integer> uses = new IdentityHashMap<>();
    /** Stops an upstream, logging a failure rather than throwing it. */
    private final Consumer<Upstream> stopper;
    private final UpstreamRuntime lent;
    private volatile ProxyConfig lentConfig;
    /** Set by {@link #stopAll}: no upstream is started or counted after it. */
    private boolean closed;

    /** @param first the first generation's configuration: its upstream counts as used, {@code start()} starts it */
    UpstreamUses(EventLoopGroup group, ProxyConfig first, Consumer<Upstream> stopper) {
        this.stopper = stopper;
        this.lentConfig = first;
        this.lent = new CurrentRuntime(group, first.transport(), () -> lentConfig);
        uses.put(first.upstream(), 1);
    }

    /** What every upstream the proxy starts is lent. */
    UpstreamRuntime lent() {
        return lent;
    }

    /**
     * The new generation's upstream: one more use if a generation uses it already, else started
     * now, before any connection can use it; if that fails, nothing has changed.
     *
     * @param current the configuration to go back to if the start fails
     * @return false if the proxy is closed (nothing done)
     */
    synchronized boolean use(ProxyConfig next, ProxyConfig current) {
        if (closed) {
            return false;
        }
        Upstream upstream = next.upstream();
        Integer users = uses.get(upstream);
        // The upstreams hear the new listener from now on, the one started now included.
        lentConfig = next;
        if (users == null) {
            try {
                upstream.start(lent);
            } catch (RuntimeException e) {
                lentConfig = current;
                throw e;
            }
        }
        uses.put(upstream, users == null ? 1 : users + 1);
        return true;
    }

    /** A generation using {@code upstream} is done: the upstream is stopped if no other uses it. */
    synchronized void done(Upstream upstream) {
        Integer users = uses.get(upstream);
        if (users == null) {
            // The proxy closed meanwhile, and stopped it.
            return;
        }
        if (users > 1) {
            uses.put(upstream, users - 1);
            return;
        }
        uses.remove(upstream);
        // Under the lock: a reconfigure back to it must find it stopped before it starts it again.
        stopper.accept(upstream);
    }

    /** The proxy closed: every upstream still used is stopped, whatever generation uses it. */
    void stopAll() {
        List<Upstream> toStop;
        synchronized (this) {
            closed = true;
            toStop = new ArrayList<>(uses.keySet());
            uses.clear();
        }
        toStop.forEach(stopper);
    }
}
