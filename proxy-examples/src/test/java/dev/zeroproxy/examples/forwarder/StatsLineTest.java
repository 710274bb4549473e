package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.edge.ConnectionRefusal;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --stats line's text from two fixed samples. */
class StatsLineTest {

    private static ProxyStats stats(long accepted, long active, long connectFailures, long fromClients,
            long fromUpstreams, long copied, long spliced, long refused) {
        Map<ConnectionRefusal.Reason, Long> refusals = new EnumMap<>(ConnectionRefusal.Reason.class);
        for (ConnectionRefusal.Reason reason : ConnectionRefusal.Reason.values()) {
            refusals.put(reason, 0L);
        }
        refusals.put(ConnectionRefusal.Reason.DENIED, refused);
        return new ProxyStats(accepted, active, 2 * active, connectFailures, fromClients, fromUpstreams, copied,
                spliced, 0, 0, 0, refusals);
    }

    @Test
    void ratesAreTheDifferenceOverTheInterval() {
        ProxyStats before = stats(100, 10, 1, 1_000_000, 5_000_000, 1_000_000, 5_000_000, 2);
        // Over 2 s: 6 new, 2 MiB in, 24.6 MiB out (97% of it spliced), 1 connect failure and 2 refusals.
        ProxyStats after = stats(106, 12, 2, 1_000_000 + (2L << 20), 5_000_000 + 25_794_150,
                1_000_000 + (2L << 20) + 20_000, 5_000_000 + 25_774_150, 4);
        assertEquals("conns 12  new 3.0/s  in 1.0 MiB/s  out 12.3 MiB/s  spliced 92%  errors 3",
                StatsLine.format(before, after, 2_000_000_000L));
    }

    @Test
    void nothingMovedShowsNoSplicedShare() {
        ProxyStats idle = stats(5, 1, 0, 10, 10, 20, 0, 0);
        assertEquals("conns 1  new 0.0/s  in 0 B/s  out 0 B/s  spliced -  errors 0",
                StatsLine.format(idle, idle, 1_000_000_000L));
    }

    @Test
    void unitsStepBy1024() {
        assertEquals("1023 B/s", StatsLine.rate(1023));
        assertEquals("1.0 KiB/s", StatsLine.rate(1024));
        assertEquals("1.5 GiB/s", StatsLine.rate(1.5 * (1L << 30)));
    }
}
