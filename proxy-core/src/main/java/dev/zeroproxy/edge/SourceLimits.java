package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;

/**
 * Limits per client address, checked at accept before any upstream work: how many connections
 * one address may hold at once, and how fast it may open new ones.
 *
 * <pre>{@code
 * SourceLimits limits = SourceLimits.builder()
 *         .maxConnectionsPerSource(64)              // refused beyond: TOO_MANY_FROM_SOURCE
 *         .maxNewConnectionsPerSecondPerSource(20)  // refused beyond: TOO_FAST_FROM_SOURCE
 *         .build();
 * }</pre>
 *
 * <p><b>The rate</b> is a token bucket per address whose burst equals the rate and which
 * refills continuously: an idle address may open {@code N} connections at once, then one every
 * {@code 1/N} s. A refused attempt takes no token.
 *
 * <p><b>Defaults</b>: both limits 0, meaning none ({@link #NONE}); at most
 * {@value #DEFAULT_MAX_TRACKED_SOURCES} addresses tracked at once. An address is tracked while
 * it holds a connection or its bucket is refilling, and forgotten after. When that many
 * addresses are tracked, a new address is admitted <em>untracked</em> (unlimited by these
 * limits, still bounded by the proxy's overall {@code maxConnections}) rather than refused: a
 * flood from many addresses must not lock out every newcomer, and the overall limit is the
 * backstop. The address is the whole address (an IPv6 client's /128).
 *
 * <p>Immutable and thread-safe.
 */
public final class SourceLimits {
    /** Default for {@link Builder#maxTrackedSources(int)}. */
    public static final int DEFAULT_MAX_TRACKED_SOURCES = 100_000;
    /** Largest {@link Builder#maxNewConnectionsPerSecondPerSource(int)}: one per microsecond. */
    public static final int MAX_RATE = 1_000_000;
    /** Largest {@link Builder#maxTrackedSources(int)}. */
    public static final int MAX_TRACKED_SOURCES = 10_000_000;

    /** No limits. The default. */
    public static final SourceLimits NONE = new SourceLimits(0, 0, DEFAULT_MAX_TRACKED_SOURCES);

    private final int maxConnectionsPerSource;
    private final int maxNewConnectionsPerSecondPerSource;
    private final int maxTrackedSources;

    private SourceLimits(int maxConnectionsPerSource, int maxNewConnectionsPerSecondPerSource,
            int maxTrackedSources) {
        this.maxConnectionsPerSource = maxConnectionsPerSource;
        this.maxNewConnectionsPerSecondPerSource = maxNewConnectionsPerSecondPerSource;
        this.maxTrackedSources = maxTrackedSources;
    }

    /** Starts with no limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** The most connections one address may hold at once; 0 for no limit. */
    public int maxConnectionsPerSource() {
        return maxConnectionsPerSource;
    }

    /** The most new connections one address may open per second (and at once, after a rest); 0 for no limit. */
    public int maxNewConnectionsPerSecondPerSource() {
        return maxNewConnectionsPerSecondPerSource;
    }

    /** The most addresses tracked at once; see the class comment for what happens past it. */
    public int maxTrackedSources() {
        return maxTrackedSources;
    }

    /** Whether neither limit is set. */
    public boolean isNone() {
        return maxConnectionsPerSource == 0 && maxNewConnectionsPerSecondPerSource == 0;
    }

    @Override
    public String toString() {
        return "SourceLimits{maxConnectionsPerSource=" + maxConnectionsPerSource
                + ", maxNewConnectionsPerSecondPerSource=" + maxNewConnectionsPerSecondPerSource
                + ", maxTrackedSources=" + maxTrackedSources + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceLimits s && s.maxConnectionsPerSource == maxConnectionsPerSource
                && s.maxNewConnectionsPerSecondPerSource == maxNewConnectionsPerSecondPerSource
                && s.maxTrackedSources == maxTrackedSources;
    }

    @Override
    public int hashCode() {
        return (maxConnectionsPerSource * 31 + maxNewConnectionsPerSecondPerSource) * 31 + maxTrackedSources;
    }

    /** Collects the limits; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private int maxConnectionsPerSource;
        private int maxNewConnectionsPerSecondPerSource;
        private int maxTrackedSources = DEFAULT_MAX_TRACKED_SOURCES;

        private Builder() {
        }

        /** The most connections one address may hold at once; 0 (the default) for no limit. */
        public Builder maxConnectionsPerSource(int connections) {
            this.maxConnectionsPerSource = connections;
            return this;
        }

        /**
         * The most new connections one address may open per second, which is also its burst;
         * 0 (the default) for no limit; at most {@value SourceLimits#MAX_RATE}.
         */
        public Builder maxNewConnectionsPerSecondPerSource(int perSecond) {
            this.maxNewConnectionsPerSecondPerSource = perSecond;
            return this;
        }

        /** The most addresses tracked at once; default {@value SourceLimits#DEFAULT_MAX_TRACKED_SOURCES}. */
        public Builder maxTrackedSources(int sources) {
            this.maxTrackedSources = sources;
            return this;
        }

        /**
         * The limits.
         *
         * @throws InvalidSettingException for a value out of range, naming the setting, e.g.
         *     {@code "maxConnectionsPerSource: -1 (expected: 0..2147483647 (0: no limit))"}
         */
        public SourceLimits build() {
            inRange("maxConnectionsPerSource", maxConnectionsPerSource, 0, Integer.MAX_VALUE, "(0: no limit)");
            inRange("maxNewConnectionsPerSecondPerSource", maxNewConnectionsPerSecondPerSource, 0, MAX_RATE,
                    "per second (0: no limit)");
            inRange("maxTrackedSources", maxTrackedSources, 1, MAX_TRACKED_SOURCES, "addresses");
            if (maxConnectionsPerSource == 0 && maxNewConnectionsPerSecondPerSource == 0
                    && maxTrackedSources == DEFAULT_MAX_TRACKED_SOURCES) {
                return NONE;
            }
            return new SourceLimits(maxConnectionsPerSource, maxNewConnectionsPerSecondPerSource, maxTrackedSources);
        }

        private static void inRange(String setting, int value, int min, int max, String unit) {
            if (value < min || value > max) {
                throw InvalidSettingException.outOfRange(setting, value, min, max, unit);
            }
        }
    }
}
