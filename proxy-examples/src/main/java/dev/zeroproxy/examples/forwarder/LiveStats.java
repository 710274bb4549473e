package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyStats;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --stats}: the proxy's figures on stderr while it runs ({@link StatsLine} says what).
 * On a terminal, one line rewritten in place every second with {@code \r}, as pv does; a log
 * line printed meanwhile first wipes it (the line is drawn again at the next tick), so the two
 * never share a row. Elsewhere (a file, a pipe, a journal), one plain line with the time every
 * 10 seconds. Always stderr: stdout may carry the access log ({@code --access-log -}).
 *
 * <p>Runs on its own daemon thread from {@link #start} to {@link #close}, which ends the
 * terminal line with a newline so the shell's prompt starts on its own row. Thread-safe.
 */
final class LiveStats implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(LiveStats.class);
    private static final Duration TERMINAL_INTERVAL = Duration.ofSeconds(1);
    private static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final Supplier<ProxyStats> stats;
    private final PrintStream out;
    private final boolean terminal;
    private final ScheduledExecutorService ticker;
    /** Guards what is on the terminal's last row: the line, and any write that must wipe it first. */
    private final Object screen = new Object();
    private ProxyStats last;
    private long lastNanos;
    private int shownLength;
    private boolean failedOnce;
    private PrintStream replacedErr;
    private PrintStream replacedOut;

    /** Prints to {@code out}, in place if {@code terminal}, every {@code interval}; package-private for tests. */
    LiveStats(Supplier<ProxyStats> stats, PrintStream out, boolean terminal, Duration interval) {
        this.stats = stats;
        this.out = out;
        this.terminal = terminal;
        this.last = stats.get();
        this.lastNanos = System.nanoTime();
        this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "zeroproxy-stats");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts the line on stderr: in place if stderr is a terminal (and then the process's
     * stderr, and stdout where it is the terminal too, wipe the line before each write).
     */
    static LiveStats start(Supplier<ProxyStats> stats) {
        PrintStream err = System.err;
        boolean terminal = Terminals.isTerminal(2);
        LiveStats live = new LiveStats(stats, err, terminal, terminal ? TERMINAL_INTERVAL : PLAIN_INTERVAL);
        if (terminal) {
            live.replacedErr = err;
            System.setErr(new PrintStream(live.wipingFirst(err), true));
            if (Terminals.isTerminal(1)) {
                live.replacedOut = System.out;
                System.setOut(new PrintStream(live.wipingFirst(System.out), true));
            }
        }
        return live;
    }

    private void tick() {
        try {
            ProxyStats now = stats.get();
            long nanos = System.nanoTime();
            String line = StatsLine.format(last, now, nanos - lastNanos);
            last = now;
            lastNanos = nanos;
            synchronized (screen) {
                if (terminal) {
                    // Pad over the previous text, which may have been longer.
                    out.print("\r" + line + " ".repeat(Math.max(0, shownLength - line.length())));
                    shownLength = line.length();
                } else {
                    out.println(LocalDateTime.now().format(TIME) + " stats " + line);
                }
                out.flush();
            }
        } catch (RuntimeException e) {
            // A failed sample must not end the schedule (a thrown task is never run again).
            if (!failedOnce) {
                failedOnce = true;
                LOGGER.warn("--stats could not read the figures: {}", e.toString());
            }
        }
    }

    /** {@code target}, but each write first wipes the live line from the terminal. */
    private OutputStream wipingFirst(PrintStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (screen) {
                    wipe();
                    target.write(b);
                }
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                synchronized (screen) {
                    wipe();
                    target.write(bytes, offset, length);
                }
            }

            @Override
            public void flush() {
                target.flush();
            }
        };
    }

    /** Removes the line (holding {@link #screen}); the next tick draws it again. */
    private void wipe() {
        if (shownLength > 0) {
            out.print("\r" + " ".repeat(shownLength) + "\r");
            out.flush();
            shownLength = 0;
        }
    }

    /** Stops the line; on a terminal the last one stays, followed by a newline. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (screen) {
            if (replacedErr != null) {
                System.setErr(replacedErr);
            }
            if (replacedOut != null) {
                System.setOut(replacedOut);
            }
            if (terminal && shownLength > 0) {
                out.println();
                out.flush();
                shownLength = 0;
            }
        }
    }
}
