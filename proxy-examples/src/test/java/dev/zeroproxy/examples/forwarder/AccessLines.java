package dev.zeroproxy.examples.forwarder;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An access-log line read back field by field, with the tests' own regular expression (the
 * format as docs/observability.md describes it; the library has no parser).
 *
 * @param early whether it is a logasap line (times and bytes marked {@code +})
 */
record AccessLines(String clientIp, int clientPort, long acceptMillis, String frontend, String backend,
        String server, long tw, long tc, long tt, long bytesToClient, long bytesFromClient, String state,
        int splicedPercent, int retries, String id, String refusal, boolean early) {

    private static final Pattern LINE = Pattern.compile("^(?<ip>[0-9a-f.:]+):(?<port>\\d+)"
            + " \\[(?<date>\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2}\\.\\d{3})]"
            + " (?<fe>\\S+) (?<be>[^/\\s]+)/(?<srv>\\S+)"
            + " (?<tw>-|-?\\d+)/(?<tc>-|-?\\d+)/(?<early>\\+?)(?<tt>\\d+)"
            + " \\+?(?<out>\\d+) \\+?(?<in>\\d+) (?<ts>[-A-Za-z]{2}) (?<spl>\\d{1,3})% (?<retries>\\d+)"
            + " #(?<id>\\d+|-)(?: (?<refusal>[A-Z_]+))?$");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ROOT);

    /** Parses {@code line}, its date in the JVM's zone (the access log's default). */
    static AccessLines parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not an access-log line: " + line);
        }
        long accept = LocalDateTime.parse(m.group("date"), DATE).atZone(ZoneId.systemDefault()).toInstant()
                .toEpochMilli();
        return new AccessLines(m.group("ip"), Integer.parseInt(m.group("port")), accept, m.group("fe"),
                m.group("be"), m.group("srv"), number(m.group("tw")), number(m.group("tc")),
                Long.parseLong(m.group("tt")), Long.parseLong(m.group("out")), Long.parseLong(m.group("in")),
                m.group("ts"), Integer.parseInt(m.group("spl")), Integer.parseInt(m.group("retries")),
                m.group("id"), m.group("refusal"), !m.group("early").isEmpty());
    }

    /** A time field; {@code -} (not known yet, an early line) as {@link Long#MIN_VALUE}. */
    private static long number(String field) {
        return field.equals("-") ? Long.MIN_VALUE : Long.parseLong(field);
    }
}
