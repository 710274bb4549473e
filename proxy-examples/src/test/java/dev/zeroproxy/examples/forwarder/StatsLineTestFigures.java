package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.edge.ConnectionRefusal;
import java.util.EnumMap;
import java.util.Map;

/** Fixed figures for the --stats tests. */
final class StatsLineTestFigures {
    /** One connection open, nothing moving. */
    static final ProxyStats IDLE;

    static {
        Map<ConnectionRefusal.Reason, Long> none = new EnumMap<>(ConnectionRefusal.Reason.class);
        for (ConnectionRefusal.Reason reason : ConnectionRefusal.Reason.values()) {
            none.put(reason, 0L);
        }
        IDLE = new ProxyStats(1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, none);
    }

    private StatsLineTestFigures() { }
}
