package dev.zeroproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.edge.ConnectionRefusal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ProxyStats#sum}: counts add up, the shared allocator's figure is the largest, refusals merge by reason. */
class ProxyStatsSumTest {
    private static ProxyStats stats(long base, Map<ConnectionRefusal.Reason, Long> refused) {
        return new ProxyStats(base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8,
                base + 9, base + 10, base + 11, refused);
    }

    @Test
    void eachCountAddsUpAndDirectMemoryIsTheLargest() {
        ProxyStats a = stats(0, Map.of(ConnectionRefusal.Reason.values()[0], 2L));
        ProxyStats b = stats(100, Map.of(ConnectionRefusal.Reason.values()[0], 3L));

        ProxyStats sum = ProxyStats.sum(List.of(a, b));

        assertEquals(new ProxyStats(102, 104, 106, 108, 110, 112, 114, 116, 109, 120, 122, sum.refusedConnections()),
                sum);
        assertEquals(5L, sum.refusedConnections().get(ConnectionRefusal.Reason.values()[0]));
        assertEquals(ConnectionRefusal.Reason.values().length, sum.refusedConnections().size());
    }

    @Test
    void nothingSumsToZeroWithEveryReasonPresent() {
        ProxyStats sum = ProxyStats.sum(List.of());

        assertEquals(0, sum.acceptedConnections());
        assertEquals(0L, sum.refusedConnectionsTotal());
        assertEquals(ConnectionRefusal.Reason.values().length, sum.refusedConnections().size());
    }
}
