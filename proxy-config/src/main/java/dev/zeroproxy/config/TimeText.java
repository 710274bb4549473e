package dev.zeroproxy.config;

import dev.zeroproxy.internal.DurationText;
import java.time.Duration;

/** A duration as a configuration file writes it: the largest of HAProxy's units that is exact ({@code 90s}, {@code 2m}, {@code 250ms}), and 0 bare. */
final class TimeText {
    private TimeText() { }

    static String of(Duration duration) {
        return duration.isZero() ? "0" : DurationText.format(duration);
    }
}
