package dev.zeroproxy.micrometer;

import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.edge.ConnectionRefusal;

/**
 * The figures of one frontend's meters at one instant: its proxies' {@link ProxyStats} added
 * up, the counters of proxies it no longer has included so that no counter ever goes down.
 * Immutable. The counters only grow; {@code active}, {@code openChannels} and {@code queued}
 * are gauges, and only live proxies have them.
 */
final class Figures {
    private static final ConnectionRefusal.Reason[] REASONS = ConnectionRefusal.Reason.values();

    /** Nothing counted yet. */
    static final Figures ZERO = new Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, new long[REASONS.length]);

    final long accepted;
    final long active;
    final long openChannels;
    final long fromClients;
    final long fromUpstreams;
    final long copied;
    final long spliced;
    final long queued;
    final long budgetPauses;
    /** Refusals by {@link ConnectionRefusal.Reason#ordinal()}. */
    private final long[] refused;

    private Figures(long accepted, long active, long openChannels, long fromClients, long fromUpstreams,
            long copied, long spliced, long queued, long budgetPauses, long[] refused) {
        this.accepted = accepted;
        this.active = active;
        this.openChannels = openChannels;
        this.fromClients = fromClients;
        this.fromUpstreams = fromUpstreams;
        this.copied = copied;
        this.spliced = spliced;
        this.queued = queued;
        this.budgetPauses = budgetPauses;
        this.refused = refused;
    }

    /** One proxy's figures. */
    static Figures of(ProxyStats stats) {
        long[] refused = new long[REASONS.length];
        for (ConnectionRefusal.Reason reason : REASONS) {
            refused[reason.ordinal()] = stats.refusedConnections().getOrDefault(reason, 0L);
        }
        return new Figures(stats.acceptedConnections(), stats.activeConnections(), stats.openChannels(),
                stats.bytesFromClients(), stats.bytesFromUpstreams(), stats.bytesCopied(), stats.bytesSpliced(),
                stats.bytesQueued(), stats.memoryBudgetPauses(), refused);
    }

    /** Connections refused for {@code reason}. */
    long refused(ConnectionRefusal.Reason reason) {
        return refused[reason.ordinal()];
    }

    /** These figures and {@code other}'s, added. */
    Figures plus(Figures other) {
        return combine(other, 1, 1);
    }

    /** The counters grown since {@code before} (the same proxy, earlier); gauges as they are now. */
    Figures since(Figures before) {
        return combine(before, -1, 0);
    }

    /** The counters alone: a proxy that is gone holds no connection, channel or byte any more. */
    Figures countersOnly() {
        return new Figures(accepted, 0, 0, fromClients, fromUpstreams, copied, spliced, 0, budgetPauses, refused);
    }

    /** {@code this + counterSign × other} for counters, {@code this + gaugeSign × other} for gauges. */
    private Figures combine(Figures other, int counterSign, int gaugeSign) {
        long[] sum = new long[REASONS.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = refused[i] + counterSign * other.refused[i];
        }
        return new Figures(
                accepted + counterSign * other.accepted,
                active + gaugeSign * other.active,
                openChannels + gaugeSign * other.openChannels,
                fromClients + counterSign * other.fromClients,
                fromUpstreams + counterSign * other.fromUpstreams,
                copied + counterSign * other.copied,
                spliced + counterSign * other.spliced,
                queued + gaugeSign * other.queued,
                budgetPauses + counterSign * other.budgetPauses,
                sum);
    }
}
