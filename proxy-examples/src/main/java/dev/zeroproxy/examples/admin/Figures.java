package dev.zeroproxy.examples.admin;

import java.time.Duration;
import java.util.Locale;

/** How the stats page writes figures: short durations, byte sizes, shares. Stateless. */
final class Figures {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Figures() { }

    /** HAProxy's way: the two largest units, {@code 45s}, {@code 2m10s}, {@code 3h05m}, {@code 4d02h}. */
    static String duration(Duration duration) {
        long s = Math.max(0, duration.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + pad(s % 60) + "s";
        }
        if (s < 86_400) {
            return (s / 3600) + "h" + pad(s % 3600 / 60) + "m";
        }
        return (s / 86_400) + "d" + pad(s % 86_400 / 3600) + "h";
    }

    /** {@code 1536} as {@code 1.5 KiB}; below 1 KiB, bytes. */
    static String bytes(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** A share 0..1 as a percentage with one decimal, or {@code -} when nothing was counted. */
    static String percent(double share, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String pad(long value) {
        return value < 10 ? "0" + value : Long.toString(value);
    }
}
