package dev.zeroproxy.internal;

import java.time.Duration;

/**
 * A duration as people write it in a command line or a configuration file ({@code 30s},
 * {@code 2m}, {@code 500ms}), for messages: its largest exact unit of days, hours, minutes,
 * seconds, milliseconds, microseconds, else nanoseconds. Not Java's {@code PT30S}. The
 * engine's messages, the forwarder's options and the configuration file's texts all write
 * durations with it, so they read alike.
 */
public final class DurationText {
    private static final long[] UNIT_NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L,
        1_000_000_000L, 1_000_000L, 1_000L};
    private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us"};

    private DurationText() { }

    /** {@code duration} in its largest exact unit: "1d", "2h", "90s" for a minute and a half, "1500ms", "500us"; "0s" for zero. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.toDays() + "d"; // Beyond 292 years: whole days are exact enough.
        }
        for (int i = 0; i < UNIT_NANOS.length; i++) {
            if (nanos % UNIT_NANOS[i] == 0) {
                return nanos / UNIT_NANOS[i] + UNITS[i];
            }
        }
        return nanos + "ns";
    }
}
