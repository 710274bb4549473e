package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code zeroproxy demo}: pushes a fixed volume through a proxy on 127.0.0.1 for every
 * available transport and every forwarding mode it supports, plus a baseline without a proxy,
 * and prints throughput and CPU per MiB moved.
 *
 * <p>Needs nothing outside the process: the upstream is a {@link LoopbackSink}. The proxy's
 * CPU is the time of its {@code zeroproxy-*} event-loop threads only; the process column adds
 * the client, the upstream, the JIT and the GC, and is what the baseline can be compared by.
 * Exit code 0 when every row was measured and verified, 1 otherwise.
 *
 * <p>picocli creates and populates one instance per invocation; it is not thread-safe.
 */
@Command(
        name = "demo",
        description = "Measure each available transport and forwarding mode on loopback: MiB/s and CPU per MiB.",
        sortOptions = false,
        usageHelpAutoWidth = true)
public final class DemoCommand implements Callable<Integer> {
    private static final Logger LOGGER = LoggerFactory.getLogger(DemoCommand.class);
    private static final long MIN_VOLUME = 1L << 20;
    private static final long MAX_VOLUME = 64L << 30;
    private static final long MAX_WARMUP = 1L << 30;
    private static final String DIRECT = "direct (no proxy)";

    @Spec
    private CommandSpec spec;

    @Option(names = "--volume", paramLabel = "SIZE", defaultValue = "1g", converter = ByteSizeConverter.class,
            description = "Bytes each row moves and measures, 1m..64g, e.g. 256m (default: ${DEFAULT-VALUE}).")
    private long volume;

    @Option(names = "--warmup", paramLabel = "SIZE", defaultValue = "64m", converter = ByteSizeConverter.class,
            description = "Bytes each row moves first, unmeasured, so the JIT has compiled the path, 0..1g"
                    + " (default: ${DEFAULT-VALUE}).")
    private long warmup;

    @Option(names = "--per-connection", paramLabel = "SIZE", defaultValue = "0", converter = ByteSizeConverter.class,
            description = "Split each row's volume over new connections of this many bytes each, to measure"
                    + " short transfers (connection setup included); 0: one connection (default: ${DEFAULT-VALUE}).")
    private long perConnection;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** For picocli. */
    public DemoCommand() { }

    @Override
    public Integer call() throws IOException {
        if (volume < MIN_VOLUME || volume > MAX_VOLUME) {
            throw new ParameterException(spec.commandLine(), "--volume: " + ByteSizeConverter.format(volume)
                    + " (expected: " + ByteSizeConverter.format(MIN_VOLUME) + ".." + ByteSizeConverter.format(MAX_VOLUME)
                    + ")");
        }
        if (warmup > MAX_WARMUP) {
            throw new ParameterException(spec.commandLine(), "--warmup: " + ByteSizeConverter.format(warmup)
                    + " (expected: 0.." + ByteSizeConverter.format(MAX_WARMUP) + ")");
        }
        if (perConnection < 0 || perConnection > volume) {
            throw new ParameterException(spec.commandLine(), "--per-connection: " + ByteSizeConverter.format(perConnection)
                    + " (expected: 0.." + ByteSizeConverter.format(volume) + ", the volume)");
        }
        List<Transport> measured = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Transport transport : Transport.all()) {
            if (transport.isAvailable()) {
                measured.add(transport);
            } else {
                Throwable cause = transport.unavailabilityCause();
                skipped.add(transport.name() + " (unavailable: " + (cause == null ? "no reason given" : cause.getMessage())
                        + ")");
            }
        }
        int total = 1 + measured.stream().mapToInt(t -> modesOf(t).size()).sum();

        ProgressLine progress = new ProgressLine(spec.commandLine().getErr(), System.console() != null);
        List<DemoRow> rows = new ArrayList<>();
        try (LoopbackSink sink = LoopbackSink.start();
                RowRunner runner = new RowRunner(sink, new Payload(42), progress, volume, warmup, perConnection)) {
            String step = "[1/" + total + "] " + DIRECT;
            progress.step(step);
            rows.add(report(progress, runner.direct(step, DIRECT)));
            for (Transport transport : measured) {
                for (Forwarding mode : modesOf(transport)) {
                    step = "[" + (rows.size() + 1) + "/" + total + "] " + transport.name() + " "
                            + mode.name().toLowerCase(Locale.ROOT);
                    progress.step(step);
                    rows.add(report(progress, runner.proxied(step, transport, mode)));
                }
            }
        } finally {
            progress.clear();
        }

        PrintWriter out = spec.commandLine().getOut();
        DemoTable.print(out, rows);
        out.println();
        out.println("Each row: " + ByteSizeConverter.format(volume) + " client -> upstream on 127.0.0.1"
                + (perConnection == 0 ? "" : " in connections of " + ByteSizeConverter.format(perConnection))
                + (warmup == 0 ? " with no warm-up" : " after a " + ByteSizeConverter.format(warmup) + " warm-up")
                + ", verified by byte count and CRC32C.");
        out.println("proxy cpu: the proxy's " + RowRunner.PROXY_THREAD_PREFIX + "* event-loop threads only;"
                + " process cpu: the whole JVM, client and upstream included.");
        if (!skipped.isEmpty()) {
            out.println("Not measured: " + String.join("; ", skipped) + ".");
        }
        out.flush();
        long failed = rows.stream().filter(r -> !r.succeeded()).count();
        if (failed > 0) {
            LOGGER.error("{} of {} rows failed", failed, rows.size());
            return 1;
        }
        return 0;
    }

    private static List<Forwarding> modesOf(Transport transport) {
        List<Forwarding> modes = new ArrayList<>();
        for (Forwarding mode : Forwarding.values()) {
            // BEST is not a mode of its own: it resolves to AUTO or COPY, which have their rows.
            if (mode != Forwarding.BEST && transport.supports(mode)) {
                modes.add(mode);
            }
        }
        return modes;
    }

    private static DemoRow report(ProgressLine progress, DemoRow row) {
        if (!row.succeeded()) {
            // Loudly, at once, and not only in the table: a failed row is a proxy bug until shown otherwise.
            progress.clear();
            LOGGER.error("{} {}: FAILED: {}", row.transport(), row.mode(), row.failure());
        }
        return row;
    }
}
