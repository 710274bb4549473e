package dev.zeroproxy.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The accept-time gate: {@link AccessRules} first, then {@link SourceLimits}, before any
 * upstream work. One per proxy, shared by all its event loops.
 *
 * <pre>{@code
 * EdgeAdmission admission = EdgeAdmission.create(rules, limits);
 * // in channelActive of an accepted child, on its event loop:
 * ConnectionRefusal refusal = admission.admit(client);
 * if (refusal != null) {
 *     listener.connectionRefused(refusal);   // and reset the client
 *     return;
 * }
 * // ... and once, when that admitted connection closes:
 * admission.released(client);
 * }</pre>
 *
 * <p>An access rule is checked before the limits, so a denied client takes no connection slot
 * and no token. A refused connection is not counted as held: call {@link #released} only for
 * connections {@link #admit} admitted, exactly once each.
 *
 * <p>Thread-safe; {@link #admit} and {@link #released} are meant for event loops: no I/O, no
 * blocking beyond a per-address monitor held for a few instructions, and allocation only for
 * an address seen for the first time, for a refusal, or for an IPv4-mapped client. About once
 * a second one {@code admit} also sweeps idle addresses (linear in the addresses tracked, at
 * most {@link SourceLimits#maxTrackedSources()}), and only when a rate limit is set.
 */
public final class EdgeAdmission {
    private final AccessRules rules;
    private final SourceLimits limits;
    private final SourceLimiter limiter;
    private final String tooManyDetail;
    private final String tooFastDetail;
    private final LongAdder[] refused = new LongAdder[ConnectionRefusal.Reason.values().length];

    EdgeAdmission(AccessRules rules, SourceLimits limits, LongSupplier nanoClock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.limiter = limits.isNone() ? null : new SourceLimiter(limits, nanoClock);
        this.tooManyDetail = "maxConnectionsPerSource: " + limits.maxConnectionsPerSource() + " held at once";
        this.tooFastDetail = "maxNewConnectionsPerSecondPerSource: " + limits.maxNewConnectionsPerSecondPerSource()
                + " per second";
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    /** A gate applying {@code rules}, then {@code limits}; either may be its {@code NONE}. */
    public static EdgeAdmission create(AccessRules rules, SourceLimits limits) {
        return new EdgeAdmission(rules, limits, System::nanoTime);
    }

    /** The access rules applied. */
    public AccessRules rules() {
        return rules;
    }

    /** The per-address limits applied. */
    public SourceLimits limits() {
        return limits;
    }

    /** Whether this gate admits everyone (no rules, no limits), so a caller may skip it. */
    public boolean admitsAll() {
        return rules.isEmpty() && limiter == null;
    }

    /**
     * Admits {@code client} and counts its connection, returning null; or returns why not
     * (counted in {@link #refused}), for the caller to report to the listener and reset.
     *
     * @param client an accepted socket's peer (resolved, as a socket's peer always is)
     */
    public ConnectionRefusal admit(InetSocketAddress client) {
        InetAddress address = address(client);
        AccessRules.Rule rule = rules.firstMatch(address);
        if (rule != null && rule.action() == AccessRules.Action.DENY) {
            return refuse(client, ConnectionRefusal.Reason.DENIED, rule.describe());
        }
        if (limiter != null) {
            ConnectionRefusal.Reason reason = limiter.admit(address);
            if (reason == ConnectionRefusal.Reason.TOO_MANY_FROM_SOURCE) {
                return refuse(client, reason, tooManyDetail);
            }
            if (reason != null) {
                return refuse(client, reason, tooFastDetail);
            }
        }
        return null;
    }

    /** A connection {@link #admit} admitted has closed; call once per admitted connection. */
    public void released(InetSocketAddress client) {
        if (limiter != null) {
            limiter.released(address(client));
        }
    }

    /** How many connections this gate refused for {@code reason} so far. */
    public long refused(ConnectionRefusal.Reason reason) {
        return refused[reason.ordinal()].sum();
    }

    /** How many client addresses the limits track now (0 without limits). */
    public int trackedSources() {
        return limiter == null ? 0 : limiter.trackedSources();
    }

    /** How many connections were admitted untracked because {@link SourceLimits#maxTrackedSources()} was reached. */
    public long untrackedAdmissions() {
        return limiter == null ? 0 : limiter.untrackedAdmissions();
    }

    SourceLimiter limiter() {
        return limiter;
    }

    private ConnectionRefusal refuse(InetSocketAddress client, ConnectionRefusal.Reason reason, String detail) {
        refused[reason.ordinal()].increment();
        return new ConnectionRefusal(client, reason, detail);
    }

    private static InetAddress address(InetSocketAddress client) {
        Objects.requireNonNull(client, "client");
        InetAddress address = client.getAddress();
        if (address == null) {
            throw new IllegalArgumentException("client: " + client + " (expected: a resolved address)");
        }
        return address;
    }

    @Override
    public String toString() {
        return "EdgeAdmission{rules=" + rules + ", limits=" + limits + "}";
    }
}
