package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Keeps a proxy running until a signal stops it, and gives every other signal the forwarder
 * handles its meaning:
 *
 * <ul>
 *   <li>SIGINT or SIGTERM: stop accepting, drain for up to {@code --drain-timeout}, then cut what
 *       is still open; exit code 0.
 *   <li>a second SIGINT or SIGTERM while draining: end the drain now, cutting what is open;
 *       exit code 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a process
 *       killed by it would report.
 *   <li>SIGHUP: {@code run -f FILE} reads the file again and reloads it (a file with an error
 *       changes nothing, and the errors are logged); {@code forward} has nothing to reload: it
 *       logs so and keeps serving.
 *   <li>SIGUSR1, SIGUSR2: log one status line (connections, bytes) and keep serving.
 * </ul>
 */
final class UntilSignal implements ProxyLifetime {
    private static final Logger LOGGER = LoggerFactory.getLogger(UntilSignal.class);

    @Override
    public int run(Proxy proxy, ForwarderListener listener) {
        return run(Served.of(proxy), listener);
    }

    /** Serves {@code proxy} until SIGINT/SIGTERM, as the class comment says; returns the exit code. */
    int run(Served proxy, ForwarderListener listener) {
        Signals signals = Signals.install();
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<Signal> forcedBy = new AtomicReference<>();
        Thread main = Thread.currentThread();
        Thread dispatcher = new Thread(() -> dispatch(signals, proxy, stopRequested, forcedBy, main), "signals");
        dispatcher.setDaemon(true);
        dispatcher.start();
        awaitQuietly(stopRequested);

        long started = System.nanoTime();
        long open = proxy.stats().activeConnections();
        if (open > 0 && proxy.drainTimeout().toMillis() == 0) {
            LOGGER.info("zeroproxy stopping: no longer accepting, cutting the {} open connection(s) now"
                    + " (drain timeout 0)", open);
        } else if (open > 0) {
            // Only when there is a drain to wait for: a quiet stop is one line, the summary below.
            LOGGER.info("zeroproxy stopping: no longer accepting, draining {} connection(s) for up to {}"
                    + " (a second SIGINT/SIGTERM cuts them at once)", open,
                    DurationConverter.format(proxy.drainTimeout()));
        }
        try {
            proxy.close();
        } catch (RuntimeException e) {
            LOGGER.error("zeroproxy could not stop cleanly", e);
            return 1;
        } finally {
            listener.flushLeftOutLines();
        }
        Thread.interrupted(); // close() sets it again when a second signal ended the drain.
        ProxyStats stats = proxy.stats();
        LOGGER.info("zeroproxy stopped in {} ms: {}; {} bytes forwarded ({} spliced)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), listener.summary(),
                stats.bytesForwarded(), stats.bytesSpliced());
        Signal forced = forcedBy.get();
        return forced == null ? 0 : 128 + forced.getNumber();
    }

    /** Runs on its own thread for the life of the process, taking each signal as it comes. */
    private static void dispatch(Signals signals, Served proxy, CountDownLatch stopRequested,
            AtomicReference<Signal> forcedBy, Thread closer) {
        while (true) {
            Signal signal;
            try {
                signal = signals.next();
            } catch (InterruptedException e) {
                return;
            }
            if (Signals.isStop(signal)) {
                if (stopRequested.getCount() > 0) {
                    stopRequested.countDown();
                } else if (forcedBy.compareAndSet(null, signal)) {
                    LOGGER.warn("zeroproxy: second SIG{} while draining: cutting the {} open connection(s) now",
                            signal.getName(), proxy.stats().activeConnections());
                    closer.interrupt();
                }
            } else if (signal.getName().equals("HUP")) {
                if (stopRequested.getCount() == 0) {
                    LOGGER.warn("zeroproxy: SIGHUP while stopping: not reloaded");
                    continue;
                }
                try {
                    LOGGER.info("zeroproxy: SIGHUP: {}", proxy.reload());
                } catch (UnsupportedOperationException e) {
                    LOGGER.warn("zeroproxy: SIGHUP: {}", e.getMessage());
                } catch (IllegalArgumentException e) {
                    LOGGER.error("zeroproxy: SIGHUP: reload refused, nothing changed: {}", e.getMessage());
                } catch (RuntimeException e) {
                    // Not a refused file: something failed while applying it (a bug): say so, with the trace.
                    LOGGER.error("zeroproxy: SIGHUP: the reload failed while it was applied", e);
                }
            } else {
                ProxyStats stats = proxy.stats();
                LOGGER.info("zeroproxy status (SIG{}): {} active connection(s), {} accepted, {} upstream connect"
                                + " failure(s), {} bytes forwarded ({} spliced), {} bytes queued for slow readers",
                        signal.getName(), stats.activeConnections(), stats.acceptedConnections(),
                        stats.upstreamConnectFailures(), stats.bytesForwarded(), stats.bytesSpliced(),
                        stats.bytesQueued());
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // Nobody interrupts the main thread before a stop is asked for; keep waiting.
                LOGGER.debug("main thread interrupted; still serving until SIGINT/SIGTERM");
            }
        }
    }
}
