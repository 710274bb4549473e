package dev.zeroproxy.accesslog;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * HAProxy's {@code %t} date, {@code 01/Dec/2026:22:40:01.123}, in one zone: the second is
 * formatted once and kept (lines come by the thousand within one second), the milliseconds are
 * appended per line. Thread-safe: the kept second is an immutable holder swapped as a whole.
 */
final class AccessTime {
    // English abbreviations whatever the JVM's locale, as HAProxy writes them.
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** One formatted second, {@code dd/MMM/yyyy:HH:mm:ss}. */
    private record Second(long epochSecond, String text) { }

    private final ZoneId zone;
    private volatile Second last = new Second(Long.MIN_VALUE, "");

    AccessTime(ZoneId zone) {
        this.zone = zone;
    }

    /** Appends the date of {@code epochMillis}. */
    void append(StringBuilder line, long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second second = last;
        if (second.epochSecond() != epochSecond) {
            second = new Second(epochSecond, format(epochSecond));
            last = second;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        line.append(second.text()).append('.');
        if (millis < 100) {
            line.append('0');
        }
        if (millis < 10) {
            line.append('0');
        }
        line.append(millis);
    }

    private String format(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
        StringBuilder text = new StringBuilder(20);
        twoDigits(text, t.getDayOfMonth()).append('/').append(MONTHS[t.getMonthValue() - 1]).append('/')
                .append(t.getYear()).append(':');
        twoDigits(text, t.getHour()).append(':');
        twoDigits(text, t.getMinute()).append(':');
        twoDigits(text, t.getSecond());
        return text.toString();
    }

    private static StringBuilder twoDigits(StringBuilder text, int value) {
        return text.append(value < 10 ? "0" : "").append(value);
    }
}
