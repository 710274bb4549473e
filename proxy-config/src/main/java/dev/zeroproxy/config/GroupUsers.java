package dev.zeroproxy.config;

import dev.zeroproxy.upstream.UpstreamGroup;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Who uses each backend's group: the file that names it (one use, from its start to the reload
 * that removes it), and each proxy configuration whose router can route to it (from the
 * proxy's {@code Upstream.start} of the router to its {@code stop}, which comes once the last
 * connection of that configuration has closed). A group a reload removed stops when its last
 * use ends, so that the connections still routed to it keep their group running, queue and
 * checks included. Thread-safe; {@link #release} may run on an event loop.
 */
final class GroupUsers {
    private final Map<UpstreamGroup, Integer> uses = new IdentityHashMap<>();

    /** One more use of {@code group}. */
    synchronized void acquire(UpstreamGroup group) {
        uses.merge(group, 1, Integer::sum);
    }

    /** One use ended; the last one stops the group. */
    void release(UpstreamGroup group) {
        boolean last;
        synchronized (this) {
            Integer left = uses.merge(group, -1, Integer::sum);
            last = left != null && left <= 0;
            if (last) {
                uses.remove(group);
            }
        }
        if (last) {
            group.stop();
        }
    }
}
