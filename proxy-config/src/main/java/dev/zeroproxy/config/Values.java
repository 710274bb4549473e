package dev.zeroproxy.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Readers of plain values, HAProxy's way: times ({@code 5s}, no unit meaning milliseconds), sizes
 * ({@code 64k}, 1024-based) and whole numbers. Each returns the value or what is wrong with the
 * text; none throws.
 */
final class Values {
    static final String TIME = "a time such as 5s, 250ms or 1m; no unit means milliseconds";
    static final String SIZE = "a size in bytes such as 65536, 64k or 1m (k, m, g: times 1024)";
    static final String COUNT = "a whole number such as 100";
    /** HAProxy keeps times as an int of milliseconds, and refuses a longer one. */
    private static final Duration MAX_TIME = Duration.ofMillis(Integer.MAX_VALUE);

    private Values() { }

    /** A time: digits and an optional unit, us, ms, s, m, h or d. */
    static Parsed<Duration> time(String text) {
        int digits = digits(text);
        if (digits == 0) {
            return Parsed.wrong("'" + text + "' is not a time", TIME);
        }
        String unit = text.substring(digits);
        ChronoUnit chronoUnit = switch (unit) {
            case "", "ms" -> ChronoUnit.MILLIS;
            case "us" -> ChronoUnit.MICROS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> null;
        };
        if (chronoUnit == null) {
            return Parsed.wrong("'" + unit + "' is not a unit of time (us, ms, s, m, h, d)", TIME, digits);
        }
        Long amount = parseLong(text.substring(0, digits));
        Duration duration = amount == null ? null : timeOf(amount, chronoUnit);
        if (duration == null || duration.compareTo(MAX_TIME) > 0) {
            return tooLong(text);
        }
        return Parsed.of(duration);
    }

    /** A size in bytes: digits and an optional k, m or g (either case), 1024-based. */
    static Parsed<Long> size(String text) {
        int digits = digits(text);
        if (digits == 0) {
            return Parsed.wrong("'" + text + "' is not a size", SIZE);
        }
        String suffix = text.substring(digits);
        int shift = switch (suffix) {
            case "" -> 0;
            case "k", "K" -> 10;
            case "m", "M" -> 20;
            case "g", "G" -> 30;
            default -> -1;
        };
        if (shift < 0) {
            return Parsed.wrong("'" + suffix + "' is not a size suffix", SIZE, digits);
        }
        Long amount = parseLong(text.substring(0, digits));
        if (amount == null || amount > (Long.MAX_VALUE >> shift)) {
            return Parsed.wrong("'" + text + "' is too large", SIZE);
        }
        return Parsed.of(amount << shift);
    }

    /** A whole number, 0 or more. */
    static Parsed<Integer> count(String text) {
        return count(text, 0, Integer.MAX_VALUE);
    }

    /** A whole number in {@code min..max}. */
    static Parsed<Integer> count(String text, int min, int max) {
        String expected = max == Integer.MAX_VALUE
                ? (min == 0 ? COUNT : "a whole number, at least " + min)
                : "a whole number from " + min + " to " + max;
        if (digits(text) != text.length() || text.isEmpty()) {
            return Parsed.wrong("'" + text + "' is not a whole number", expected);
        }
        Long value = parseLong(text);
        if (value == null || value < min || value > max) {
            return Parsed.wrong("'" + text + "' is out of range", expected);
        }
        return Parsed.of(value.intValue());
    }

    private static Parsed<Duration> tooLong(String text) {
        return Parsed.wrong("'" + text + "' is longer than HAProxy's maximum, 2147483647ms (about 24.8 days)", TIME);
    }

    private static Duration timeOf(long amount, ChronoUnit unit) {
        try {
            return Duration.of(amount, unit);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** How many ASCII digits the text starts with. */
    private static int digits(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** Digits as a long; null when too many. */
    private static Long parseLong(String digits) {
        if (digits.length() > 18) {
            // Leading zeros do not make a number larger.
            String trimmed = digits.replaceFirst("^0+(?=.)", "");
            if (trimmed.length() > 18) {
                return null;
            }
            return Long.parseLong(trimmed);
        }
        return Long.parseLong(digits);
    }
}
