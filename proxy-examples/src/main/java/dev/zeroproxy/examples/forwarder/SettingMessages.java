package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.InvalidSettingException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Puts the proxy builder's refusals in the command line's terms: the flag instead of the
 * builder's setting name, and values as a user writes them on the command line ({@code 0s}
 * rather than {@code PT0S}, {@code 4k..1g} rather than {@code 4096..1073741824 bytes}). Works
 * from {@link InvalidSettingException}'s fields, never by parsing its message.
 */
final class SettingMessages {
    /** The builder's setting names, with the {@code forward} flag that sets each. */
    static final Map<String, String> OPTION_OF_SETTING = Map.ofEntries(
            Map.entry("listen", "--listen"),
            Map.entry("upstream", "--upstream"),
            Map.entry("server", "--upstream"),
            Map.entry("retries", "--retries"),
            Map.entry("balance", "--balance"),
            Map.entry("allow", "--allow"),
            Map.entry("deny", "--deny"),
            Map.entry("acceptProxyProtocol", "--accept-proxy"),
            Map.entry("sourcePool", "--source"),
            Map.entry("maxConnectionsPerSource", "--max-conn-per-source"),
            Map.entry("maxNewConnectionsPerSecondPerSource", "--max-conn-rate-per-source"),
            Map.entry("maxConnections", "--max-connections"),
            Map.entry("healthCheck.interval", "--check"),
            Map.entry("healthCheck.timeout", "--check"),
            Map.entry("transport", "--transport"),
            Map.entry("forwarding", "--mode"),
            Map.entry("connectTimeout", "--connect-timeout"),
            Map.entry("idleTimeout", "--idle-timeout"),
            Map.entry("drainTimeout", "--drain-timeout"),
            Map.entry("eventLoops", "--event-loops"),
            Map.entry("spliceThreshold", "--splice-threshold"),
            Map.entry("splicePipeSize", "--splice-pipe-size"),
            Map.entry("directMemoryBudget", "--direct-memory-budget"),
            Map.entry("socketOption SO_REUSEPORT", "--reuse-port"));

    /** The flags whose values are byte sizes, written like {@code 64k}. */
    private static final Set<String> SIZES = Set.of("--splice-threshold", "--splice-pipe-size", "--direct-memory-budget");

    private SettingMessages() { }

    /** {@code refusal}'s message, in the command line's terms where the setting has a flag. */
    static String inOptionTerms(RuntimeException refusal) {
        if (!(refusal instanceof InvalidSettingException invalid)) {
            return refusal.getMessage() == null ? "the proxy refused these settings" : refusal.getMessage();
        }
        String flag = OPTION_OF_SETTING.get(invalid.setting());
        if (flag == null) {
            return invalid.getMessage();
        }
        String problem = invalid.problem();
        if (problem.equals(String.valueOf(invalid.value()))) {
            problem = asWritten(flag, invalid.value());
        }
        String expected = invalid.min() != null
                ? asWritten(flag, invalid.min()) + ".." + asWritten(flag, invalid.max())
                : invalid.expected();
        return flag + ": " + problem + " (expected: " + expected + ")";
    }

    /** {@code value} the way this flag takes it. */
    static String asWritten(String flag, Object value) {
        if (value instanceof Duration duration) {
            return DurationConverter.format(duration);
        }
        if (value instanceof Number number && SIZES.contains(flag)) {
            return ByteSizeConverter.format(number.longValue());
        }
        return String.valueOf(value);
    }
}
