package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a proxy running until the JVM is asked to stop (SIGINT, SIGTERM), then closes it
 * gracefully from a shutdown hook and ends the process with exit code 0.
 *
 * <p>Why the hook ends the process with {@link Runtime#halt(int)}: a JVM stopped by SIGTERM
 * exits with 143 (128 + 15) once its hooks finish, and {@link System#exit(int)} called from a
 * hook blocks forever. A forwarder that drained and stopped on request has succeeded, and
 * service managers read exit code 0 that way, so the hook, the last thing to run, halts with 0
 * (or 1 if closing failed). Nothing else of this program registers a hook.
 */
final class UntilSignal implements ProxyLifetime {
    private static final Logger LOGGER = LoggerFactory.getLogger(UntilSignal.class);

    @Override
    public int run(Proxy proxy, ForwarderListener listener) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy, listener), "shutdown"));
        // The main thread has nothing left to do: the event loops serve, the hook ends the process.
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // Nobody interrupts the main thread on purpose; stopping is the hook's job. Keep waiting.
                LOGGER.debug("main thread interrupted; still serving until SIGINT/SIGTERM");
            }
        }
    }

    private static void stop(Proxy proxy, ForwarderListener listener) {
        int status = 0;
        try {
            long started = System.nanoTime();
            LOGGER.info("zeroproxy stopping: no longer accepting, draining {} connection(s) for up to {}",
                    proxy.stats().activeConnections(), DurationConverter.format(proxy.config().drainTimeout()));
            proxy.close();
            ProxyStats stats = proxy.stats();
            LOGGER.info("zeroproxy stopped in {} ms: {} connection(s) served, {} bytes forwarded ({} spliced),"
                            + " {} cut by the drain timeout",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), stats.acceptedConnections(),
                    stats.bytesForwarded(), stats.bytesSpliced(), listener.cutByDrainTimeout());
        } catch (RuntimeException e) {
            LOGGER.error("zeroproxy could not stop cleanly", e);
            status = 1;
        } finally {
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
    }
}
