package dev.zeroproxy.examples.forwarder;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints the demo's results as a plain-text table, one row per way of moving bytes.
 *
 * <p>Sizes are MiB (2^20 bytes) because volumes are given that way; CPU is in milliseconds per
 * MiB moved, so rows of different speeds compare directly. Stateless.
 */
final class DemoTable {
    private static final String FORMAT = "%-18s %-7s %7s %8s %9s %17s %19s %8s%n";
    private static final double MIB = 1024.0 * 1024.0;

    private DemoTable() { }

    /** Prints {@code rows} with a header. */
    static void print(PrintWriter out, List<DemoRow> rows) {
        out.printf(Locale.ROOT, FORMAT, "transport", "mode", "MiB", "seconds", "MiB/s", "proxy cpu ms/MiB",
                "process cpu ms/MiB", "spliced");
        for (DemoRow row : rows) {
            if (!row.succeeded()) {
                out.printf(Locale.ROOT, "%-18s %-7s FAILED: %s%n", row.transport(), row.mode(), row.failure());
                continue;
            }
            double mib = row.bytes() / MIB;
            double seconds = row.nanos() / 1e9;
            out.printf(Locale.ROOT, FORMAT, row.transport(), row.mode(),
                    String.format(Locale.ROOT, "%.0f", mib),
                    String.format(Locale.ROOT, "%.2f", seconds),
                    String.format(Locale.ROOT, "%.1f", mib / seconds),
                    cpuPerMib(row.proxyCpuNanos(), mib),
                    cpuPerMib(row.processCpuNanos(), mib),
                    row.splicedFraction() < 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * row.splicedFraction()));
        }
        out.flush();
    }

    private static String cpuPerMib(long nanos, double mib) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f", nanos / 1e6 / mib);
    }
}
