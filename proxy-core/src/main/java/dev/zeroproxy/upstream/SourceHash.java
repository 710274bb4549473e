package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Consistent hashing on the client's IP address, as nginx's {@code hash $remote_addr consistent}
 * (ketama): each server owns {@value #POINTS_PER_WEIGHT} points per unit of weight on a ring of
 * 64-bit hashes; a client goes to the owner of the first point clockwise from its address's hash
 * that {@code usable} accepts.
 *
 * <p>A server's points depend on its name and weight only, never on the other servers, so:
 * removing a server moves exactly its clients (to the next point's owner, spread over the
 * others); adding one takes clients only for itself; a server that is down, draining or full
 * sends only its own clients on, and gets them back when it returns. That is why the count of
 * points is per unit of weight, as in nginx, and not scaled to the group's total as ketama does:
 * scaling would move some of everyone's clients whenever the total changed.
 *
 * <p>The ring covers every server, backups included; the group's {@code usable} decides whom to
 * skip. It is built in {@link #serversChanged} and published as an immutable snapshot behind a
 * volatile, so picks are lock-free: a binary search and a short walk. Each point is one
 * {@code long} (48 bits of hash, 16 bits of server index): 160 servers of weight 1 take 200 KiB,
 * but 64 servers all of weight 256 would take 20 MiB and a few hundred milliseconds to build:
 * under source hashing, weights are best kept to small proportions (1 to 10).
 */
final class SourceHash implements Balancer {
    /** nginx's figure: enough points for each server's share to be within a few percent. */
    static final int POINTS_PER_WEIGHT = 160;

    /** The low bits of a point hold its server's index; the high 48 bits its hash. */
    private static final int INDEX_BITS = 16;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    static final int MAX_SERVERS = 1 << INDEX_BITS;

    /**
     * Points walked before checking that someone is usable at all: a walk past a few rejected
     * servers is short, but one over a ring none of whose servers is usable would visit every
     * point.
     */
    private static final int WALK_BEFORE_CHECK = 32;

    private volatile Ring ring = new Ring(new UpstreamServer[0], new long[0]);

    @Override
    public void serversChanged(List<? extends UpstreamServer> servers) {
        UpstreamServer[] snapshot = servers.toArray(new UpstreamServer[0]);
        if (snapshot.length > MAX_SERVERS) {
            throw InvalidSettingException.outOfRange("servers", snapshot.length, 1, MAX_SERVERS, "(for source hashing)");
        }
        int[] weights = new int[snapshot.length];
        int total = 0;
        for (int s = 0; s < snapshot.length; s++) {
            // Read once, and never below one: a server without points could never be reached.
            weights[s] = Math.max(1, snapshot[s].weight());
            total += weights[s] * POINTS_PER_WEIGHT;
        }
        long[] points = new long[total];
        int p = 0;
        for (int s = 0; s < snapshot.length; s++) {
            long seed = RingHash.ofName(snapshot[s].name());
            for (int k = 0; k < weights[s] * POINTS_PER_WEIGHT; k++) {
                // Equal 48-bit hashes (rare) then order by index, which keeps the servers' relative
                // order when one is removed: the tie resolves the same way before and after.
                points[p++] = (RingHash.point(seed, k) & ~INDEX_MASK) | s;
            }
        }
        Arrays.sort(points);
        ring = new Ring(snapshot, points);
    }

    @Override
    public UpstreamServer pick(InetSocketAddress client, Predicate<? super UpstreamServer> usable) {
        Ring ring = this.ring;
        long[] points = ring.points;
        if (points.length == 0) {
            return null;
        }
        // The smallest point with the client's 48-bit hash (index 0), so that search finds the
        // first point at or after the client's position.
        int position = Arrays.binarySearch(points, RingHash.ofClient(client) & ~INDEX_MASK);
        if (position < 0) {
            position = -position - 1;
        }
        for (int walked = 0; walked < points.length; walked++, position++) {
            if (position == points.length) {
                position = 0;
            }
            if (walked == WALK_BEFORE_CHECK && !anyUsable(ring.servers, usable)) {
                return null;
            }
            UpstreamServer server = ring.servers[(int) (points[position] & INDEX_MASK)];
            if (usable.test(server)) {
                return server;
            }
        }
        return null;
    }

    private static boolean anyUsable(UpstreamServer[] servers, Predicate<? super UpstreamServer> usable) {
        for (UpstreamServer server : servers) {
            if (usable.test(server)) {
                return true;
            }
        }
        return false;
    }

    /** The servers, and their points sorted; never modified once published. */
    private record Ring(UpstreamServer[] servers, long[] points) {
    }
}
