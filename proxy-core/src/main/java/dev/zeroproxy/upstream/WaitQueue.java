package dev.zeroproxy.upstream;

import dev.zeroproxy.UpstreamAttempt;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Connections waiting for a server with room (every usable one is at its connection limit), in
 * arrival order, each for at most the queue timeout: HAProxy's backend queue. A slot freed on
 * any server serves the oldest waiter that can use it. Thread-safe: slots free up on every event
 * loop; the queue is only used while servers are full, so one lock is cheap enough.
 */
final class WaitQueue {
    /** Far above any useful backlog; a bound so that a stuck group cannot grow the heap without limit. */
    static final int MAX_WAITING = 10_000;

    private final String group;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /**
     * Whether anyone waits, read without the lock by {@link #serve}, which every connection's
     * end calls: written under the lock at every change, so a waiter added after a look that
     * found none is served by the {@code serve} its own {@code add} is followed by.
     */
    private volatile boolean anyWaiting;

    private static final class Waiter {
        final UpstreamAttempt attempt;
        ScheduledFuture<?> timeout;

        Waiter(UpstreamAttempt attempt) {
            this.attempt = attempt;
        }
    }

    WaitQueue(String group) {
        this.group = group;
    }

    /** Queues {@code attempt} for up to {@code timeout}, timed on {@code timers}; refuses it if the queue is full. */
    void add(UpstreamAttempt attempt, Duration timeout, EventExecutorGroup timers) {
        Waiter waiter = new Waiter(attempt);
        UpstreamUnavailableException refusal;
        synchronized (this) {
            if (waiting.size() >= MAX_WAITING) {
                refusal = new UpstreamUnavailableException(UpstreamUnavailableException.Reason.QUEUE_FULL,
                        group + ": every usable server is at its connection limit and " + MAX_WAITING
                                + " connections already wait");
            } else {
                try {
                    // The timer first: a waiter without one could wait for ever.
                    waiter.timeout = timers.next().schedule(() -> timedOut(waiter, timeout), timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
                    waiting.add(waiter);
                    anyWaiting = true;
                    return;
                } catch (RejectedExecutionException stopping) {
                    refusal = new UpstreamUnavailableException(UpstreamUnavailableException.Reason.NO_SERVER,
                            group + ": the proxy is stopping");
                }
            }
        }
        // Outside the lock: the attempt's answer runs the connection's code.
        attempt.refuse(refusal);
    }

    /** Connections waiting now. */
    synchronized int size() {
        return waiting.size();
    }

    /**
     * Gives the oldest waiters a lease each, as long as {@code lease} finds one (a waiter whose
     * connection gave up is dropped on the way). Called when a slot frees up or a server comes up.
     */
    void serve(Function<UpstreamAttempt, GroupLease> lease) {
        while (anyWaiting) {
            Waiter served;
            GroupLease granted;
            synchronized (this) {
                Waiter head = waiting.peek();
                if (head == null) {
                    return;
                }
                if (head.attempt.isAbandoned()) {
                    waiting.poll();
                    anyWaiting = !waiting.isEmpty();
                    head.timeout.cancel(false);
                    continue;
                }
                granted = lease.apply(head.attempt);
                if (granted == null) {
                    return;
                }
                served = waiting.poll();
                anyWaiting = !waiting.isEmpty();
                served.timeout.cancel(false);
            }
            // Outside the lock: the attempt moves to its own event loop.
            served.attempt.connect(granted);
        }
    }

    private void timedOut(Waiter waiter, Duration timeout) {
        synchronized (this) {
            if (!waiting.remove(waiter)) {
                return;
            }
            anyWaiting = !waiting.isEmpty();
        }
        waiter.attempt.refuse(new UpstreamUnavailableException(UpstreamUnavailableException.Reason.QUEUE_TIMEOUT,
                group + ": no server had room within the queue timeout, " + timeout.toMillis() + " ms"));
    }

    /** Refuses every waiter (the group stops). */
    void refuseAll() {
        Waiter[] all;
        synchronized (this) {
            all = waiting.toArray(new Waiter[0]);
            waiting.clear();
            anyWaiting = false;
        }
        for (Waiter waiter : all) {
            waiter.timeout.cancel(false);
            waiter.attempt.refuse(new UpstreamUnavailableException(UpstreamUnavailableException.Reason.NO_SERVER,
                    group + ": the group stopped"));
        }
    }
}
