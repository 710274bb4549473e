package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.internal.DurationText;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of passive ejection: a server whose connects fail several times in a row, seen
 * from real connections rather than from health checks, is taken out of balancing for a while.
 *
 * <table>
 * <caption>Settings beside Envoy's, nginx's and HAProxy's</caption>
 * <tr><th>setting</th><th>default</th><th>Envoy (outlier detection)</th><th>nginx</th><th>HAProxy</th></tr>
 * <tr><td>{@link Builder#consecutiveFailures consecutiveFailures}</td><td>5</td>
 *     <td>{@code consecutive_5xx} 5 (for TCP: connect failures)</td><td>{@code max_fails=1}</td>
 *     <td>{@code observe layer4 error-limit 10}</td></tr>
 * <tr><td>{@link Builder#baseEjection baseEjection}</td><td>10 s</td>
 *     <td>{@code base_ejection_time} 30 s</td><td>{@code fail_timeout=10s}</td><td>-</td></tr>
 * <tr><td>{@link Builder#maxEjection maxEjection}</td><td>300 s</td>
 *     <td>{@code max_ejection_time} 300 s</td><td>-</td><td>-</td></tr>
 * <tr><td>{@link Builder#maxEjectionPercent maxEjectionPercent}</td><td>50</td>
 *     <td>{@code max_ejection_percent} 10, at least one host</td><td>-</td><td>-</td></tr>
 * </table>
 *
 * <p>The n-th ejection in a row lasts {@code baseEjection × n}, at most {@code maxEjection};
 * {@code n} goes down by one for every {@code baseEjection} the server then spends without being
 * ejected, so a server that recovered is soon back to short ejections (Envoy likewise lowers
 * its multiplier while a host stays healthy).
 *
 * <pre>{@code
 * PassiveEjection strict = PassiveEjection.builder()
 *         .consecutiveFailures(2)
 *         .baseEjection(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class PassiveEjection {
    /** Default {@link Builder#consecutiveFailures}: Envoy's {@code consecutive_5xx}. */
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    /** Default {@link Builder#baseEjection}: nginx's {@code fail_timeout}. */
    public static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(10);
    /** Default {@link Builder#maxEjection}: Envoy's {@code max_ejection_time}. */
    public static final Duration DEFAULT_MAX_EJECTION = Duration.ofSeconds(300);
    /** Default {@link Builder#maxEjectionPercent}. */
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;
    /** Largest {@link Builder#consecutiveFailures}. */
    public static final int MAX_CONSECUTIVE_FAILURES = 1000;
    /** Shortest {@link Builder#baseEjection}. */
    public static final Duration MIN_EJECTION = Duration.ofMillis(1);
    /** Longest {@link Builder#baseEjection} and {@link Builder#maxEjection}. */
    public static final Duration MAX_EJECTION = Duration.ofDays(1);

    private static final PassiveEjection DEFAULTS = builder().build();
    private static final PassiveEjection DISABLED = new PassiveEjection(new Builder(), false);

    private final boolean enabled;
    private final int consecutiveFailures;
    private final Duration baseEjection;
    private final Duration maxEjection;
    private final int maxEjectionPercent;

    private PassiveEjection(Builder b, boolean enabled) {
        this.enabled = enabled;
        this.consecutiveFailures = b.consecutiveFailures;
        this.baseEjection = b.baseEjection;
        this.maxEjection = b.maxEjection;
        this.maxEjectionPercent = b.maxEjectionPercent;
    }

    /** Ejection with every default: 5 connect failures in a row, 10 s growing to 300 s, at most 50%. */
    public static PassiveEjection defaults() {
        return DEFAULTS;
    }

    /** No passive ejection: connect failures never take a server out. */
    public static PassiveEjection disabled() {
        return DISABLED;
    }

    /** A builder holding the defaults; what it builds is enabled. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings (enabled, whether or not this is). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.consecutiveFailures = consecutiveFailures;
        b.baseEjection = baseEjection;
        b.maxEjection = maxEjection;
        b.maxEjectionPercent = maxEjectionPercent;
        return b;
    }

    /** Whether connect failures eject servers at all; false only for {@link #disabled()}. */
    public boolean isEnabled() {
        return enabled;
    }

    /** Connect failures in a row that eject a server. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** How long the first ejection lasts; the n-th in a row lasts n times as long. */
    public Duration baseEjection() {
        return baseEjection;
    }

    /** The longest an ejection lasts. */
    public Duration maxEjection() {
        return maxEjection;
    }

    /** The most servers of a group ejected at once, in percent; one may always be. */
    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    /**
     * Whether one more server of a group of {@code servers} may be ejected while
     * {@code alreadyEjected} are: yes when none is (so a group of two can still eject one, and
     * {@code maxEjectionPercent} 0 means one at a time), else when the ejected would stay within
     * {@code maxEjectionPercent} of the group. Always false when {@linkplain #disabled() disabled}.
     */
    public boolean allowsEjection(int alreadyEjected, int servers) {
        if (!enabled || alreadyEjected >= servers) {
            return false;
        }
        return alreadyEjected == 0 || (alreadyEjected + 1) * 100L <= (long) servers * maxEjectionPercent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PassiveEjection other && enabled == other.enabled
                && consecutiveFailures == other.consecutiveFailures && baseEjection.equals(other.baseEjection)
                && maxEjection.equals(other.maxEjection) && maxEjectionPercent == other.maxEjectionPercent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, consecutiveFailures, baseEjection, maxEjection, maxEjectionPercent);
    }

    /** For example {@code PassiveEjection{consecutiveFailures=5, baseEjection=10s, maxEjection=5m, maxEjectionPercent=50}}. */
    @Override
    public String toString() {
        if (!enabled) {
            return "PassiveEjection{disabled}";
        }
        return "PassiveEjection{consecutiveFailures=" + consecutiveFailures + ", baseEjection=" + DurationText.format(baseEjection)
                + ", maxEjection=" + DurationText.format(maxEjection) + ", maxEjectionPercent=" + maxEjectionPercent + "}";
    }

    /**
     * Collects the settings of a {@link PassiveEjection}; {@link #build()} validates them and
     * reports the first bad one as an {@link InvalidSettingException} naming it
     * ({@code "passiveEjection.consecutiveFailures: 0 (expected: 1..1000)"}). Not thread-safe.
     */
    public static final class Builder {
        private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
        private Duration baseEjection = DEFAULT_BASE_EJECTION;
        private Duration maxEjection = DEFAULT_MAX_EJECTION;
        private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;

        private Builder() { }

        /**
         * Connect failures in a row (refused, timed out, reset before connecting) that eject a
         * server; default 5 (Envoy's {@code consecutive_5xx}); 1 to 1000. A successful connect
         * resets the count.
         */
        public Builder consecutiveFailures(int failures) {
            this.consecutiveFailures = failures;
            return this;
        }

        /** How long the first ejection lasts; default 10 s (nginx's {@code fail_timeout}); 1 ms to 1 day. */
        public Builder baseEjection(Duration duration) {
            this.baseEjection = Objects.requireNonNull(duration, "baseEjection");
            return this;
        }

        /** The longest an ejection lasts; default 300 s (Envoy's); from {@code baseEjection} to 1 day. */
        public Builder maxEjection(Duration duration) {
            this.maxEjection = Objects.requireNonNull(duration, "maxEjection");
            return this;
        }

        /**
         * The most servers of a group ejected at once, in percent of the group; default 50; 0 to
         * 100. One server may always be ejected, whatever the percentage (as in Envoy since it
         * added that rule), so that a group of two can still eject its broken server; 0 thus
         * means one at a time. When every usable server is ejected the group decides what to do.
         */
        public Builder maxEjectionPercent(int percent) {
            this.maxEjectionPercent = percent;
            return this;
        }

        /**
         * Validates the settings.
         *
         * @throws InvalidSettingException naming the first invalid setting and its value
         */
        public PassiveEjection build() {
            if (consecutiveFailures < 1 || consecutiveFailures > MAX_CONSECUTIVE_FAILURES) {
                throw InvalidSettingException.outOfRange("passiveEjection.consecutiveFailures", consecutiveFailures,
                        1, MAX_CONSECUTIVE_FAILURES, "");
            }
            if (baseEjection.compareTo(MIN_EJECTION) < 0 || baseEjection.compareTo(MAX_EJECTION) > 0) {
                throw InvalidSettingException.outOfRange("passiveEjection.baseEjection", baseEjection, MIN_EJECTION,
                        MAX_EJECTION, "");
            }
            if (maxEjection.compareTo(baseEjection) < 0 || maxEjection.compareTo(MAX_EJECTION) > 0) {
                throw InvalidSettingException.outOfRange("passiveEjection.maxEjection", maxEjection, baseEjection,
                        MAX_EJECTION, "");
            }
            if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
                throw InvalidSettingException.outOfRange("passiveEjection.maxEjectionPercent", maxEjectionPercent,
                        0, 100, "percent");
            }
            return new PassiveEjection(this, true);
        }
    }
}
