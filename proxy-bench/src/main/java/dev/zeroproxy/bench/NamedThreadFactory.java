package dev.zeroproxy.bench;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names threads {@code <prefix><n>}: {@link ThreadCpuMeter} tells the proxy's CPU time from
 * the peers' and the client's by thread name alone, so every thread the benchmarks start must
 * say whose it is. Daemon threads, so a peer a failed trial forgot to close cannot keep a JMH
 * fork alive.
 */
final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    NamedThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + next.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
