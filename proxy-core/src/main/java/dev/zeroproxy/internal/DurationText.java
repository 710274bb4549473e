package dev.zeroproxy.internal;

import java.time.Duration;

/**
 * A duration as people write it in a command line or a configuration file ({@code 30s},
 * {@code 2m}, {@code 500ms}), for messages: the largest whole unit of days, hours, minutes,
 * seconds, else milliseconds. Not Java's {@code PT30S}.
 */
public final class DurationText {
    private DurationText() { }

    /** {@code duration} in its largest whole unit: "1d", "2h", "90s" for a minute and a half, "1500ms", "500us". */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return duration.toString();
        }
        if (millis == 0) {
            long nanos = duration.toNanos();
            return nanos % 1000 == 0 ? nanos / 1000 + "us" : nanos + "ns";
        }
        if (millis % Duration.ofDays(1).toMillis() == 0) {
            return duration.toDays() + "d";
        }
        if (millis % Duration.ofHours(1).toMillis() == 0) {
            return duration.toHours() + "h";
        }
        if (millis % Duration.ofMinutes(1).toMillis() == 0) {
            return duration.toMinutes() + "m";
        }
        if (millis % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return millis + "ms";
    }
}
