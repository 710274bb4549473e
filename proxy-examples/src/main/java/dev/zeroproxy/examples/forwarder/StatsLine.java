package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyStats;
import java.util.Locale;

/**
 * The text of the {@code --stats} line, from two samples of the proxy's counters:
 * {@code conns 12  new 3.0/s  in 12.3 MiB/s  out 1.2 MiB/s  spliced 97%  errors 0}.
 *
 * <ul>
 *   <li>{@code conns}: connections open now;
 *   <li>{@code new}: connections accepted per second since the last line;
 *   <li>{@code in}: bytes per second read from clients (and sent upstream);
 *   <li>{@code out}: bytes per second read from upstreams (and sent to clients);
 *   <li>{@code spliced}: the share of those bytes that moved by kernel splice, {@code -} when
 *       none moved;
 *   <li>{@code errors}: upstream connects that failed plus connections refused at the edge,
 *       since the last line.
 * </ul>
 */
final class StatsLine {
    private static final String[] UNITS = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};

    private StatsLine() { }

    /** The line for the interval from {@code before} to {@code now}, {@code elapsedNanos} long. */
    static String format(ProxyStats before, ProxyStats now, long elapsedNanos) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        long accepted = now.acceptedConnections() - before.acceptedConnections();
        long in = now.bytesFromClients() - before.bytesFromClients();
        long out = now.bytesFromUpstreams() - before.bytesFromUpstreams();
        long spliced = now.bytesSpliced() - before.bytesSpliced();
        long moved = spliced + now.bytesCopied() - before.bytesCopied();
        long errors = now.upstreamConnectFailures() - before.upstreamConnectFailures()
                + now.refusedConnectionsTotal() - before.refusedConnectionsTotal();
        return String.format(Locale.ROOT, "conns %d  new %.1f/s  in %s  out %s  spliced %s  errors %d",
                now.activeConnections(), accepted / seconds, rate(in / seconds), rate(out / seconds),
                moved <= 0 ? "-" : (spliced * 100 / moved) + "%", errors);
    }

    /** Bytes per second in binary units, one decimal above bytes: {@code 12.3 MiB/s}. */
    static String rate(double bytesPerSecond) {
        int unit = 0;
        double value = bytesPerSecond;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f %s", value, UNITS[0])
                : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
