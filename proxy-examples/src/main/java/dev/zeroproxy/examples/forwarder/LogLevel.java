package dev.zeroproxy.examples.forwarder;

import java.util.Locale;

/**
 * {@code --log-level}: how much the forwarder logs (to stderr, through slf4j-simple).
 *
 * <ul>
 *   <li>{@code error}, {@code warn}: only problems;
 *   <li>{@code info} (the default): start, stop, and one line per failed upstream connect,
 *       idle-timeout close and drain cut, at most one a second per kind;
 *   <li>{@code debug}: also one line per connection as it closes, and nothing of Netty's or the
 *       engine's own debug output;
 *   <li>{@code trace}: also the engine's and Netty's debug output, for bug reports.
 * </ul>
 *
 * <p>slf4j-simple fixes each logger's level when the logger is made, and classes make theirs
 * as they load, so the level is set from the raw arguments before the command line is even
 * parsed ({@link #applyFrom}); picocli then only validates the option and documents it.
 */
enum LogLevel {
    ERROR, WARN, INFO, DEBUG, TRACE;

    private static final String PREFIX = "org.slf4j.simpleLogger.log.";

    /** Sets the levels for the {@code --log-level} among {@code args}, if there is a valid one. */
    static void applyFrom(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                value = args[i].substring("--log-level=".length());
            }
            if (value != null) {
                try {
                    valueOf(value.toUpperCase(Locale.ROOT)).apply();
                } catch (IllegalArgumentException invalid) {
                    // picocli reports it, in the command line's own words.
                }
                return;
            }
        }
    }

    private void apply() {
        String forwarder = this == TRACE ? "debug" : name().toLowerCase(Locale.ROOT);
        System.setProperty(PREFIX + "dev.zeroproxy.examples", forwarder);
        if (this == ERROR || this == WARN) {
            System.setProperty(PREFIX + "dev.zeroproxy", forwarder);
        } else if (this == TRACE) {
            System.setProperty(PREFIX + "dev.zeroproxy", "debug");
            System.setProperty(PREFIX + "dev.zeroproxy.internal.ProxyServer", "debug");
            // The forwarder's own line per connection says what the relay's debug lines would.
            System.setProperty(PREFIX + "dev.zeroproxy.internal.Relay", "info");
            System.setProperty(PREFIX + "io.netty", "debug");
        }
    }
}
