package dev.zeroproxy.config;

import java.time.Duration;

/** A duration as a configuration file writes it: the largest of HAProxy's units that is exact ({@code 90s}, {@code 2m}, {@code 250ms}). */
final class TimeText {
    private TimeText() { }

    static String of(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.toDays() + "d";
        }
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] units = {"d", "h", "m", "s", "ms", "us"};
        for (int i = 0; i < sizes.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + units[i];
            }
        }
        return nanos + "ns";
    }
}
