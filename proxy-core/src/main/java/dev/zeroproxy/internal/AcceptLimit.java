package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection limit ({@code ProxyBuilder.maxConnections}, or a runtime's shared by its proxies):
 * at the limit every listener it governs stops accepting, so new clients wait in the kernel's
 * backlog rather than being accepted and refused, and accepting resumes when a connection closes.
 * A proxy's limit may have a parent, its runtime's: a listener accepts only while both have room,
 * and each connection counts in both. Counts from every event loop; the pauses and resumes are
 * rare and serialized per limit.
 */
final class AcceptLimit {
    /** How long {@link #max} waits for the listeners to follow a new limit. */
    private static final long APPLY_PATIENCE_MILLIS = 5_000;

    /** Null for a top-level limit. */
    private final AcceptLimit parent;
    private final AtomicInteger open = new AtomicInteger();
    /** Each listener governed, with the proxy's own limit, whose {@link #allowsAccepting} decides for it. */
    private final Map<Channel, AcceptLimit> listeners = new ConcurrentHashMap<>();
    private volatile int max;
    private volatile boolean paused;

    /**
     * @param max the limit; 0 for none
     * @param parent the runtime's limit, counted too; null for none
     */
    AcceptLimit(int max, AcceptLimit parent) {
        this.max = max;
        this.parent = parent;
    }

    /** Governs {@code listener} (and has the parent govern it) until it closes. */
    void addListener(Channel listener) {
        add(listener, this);
    }

    private void add(Channel listener, AcceptLimit own) {
        listeners.put(listener, own);
        listener.closeFuture().addListener(f -> listeners.remove(listener));
        if (parent != null) {
            parent.add(listener, own);
        }
    }

    /** Whether this limit's listeners may accept now; {@link AcceptBackoff} asks before it resumes one. */
    boolean allowsAccepting() {
        return !paused && (parent == null || parent.allowsAccepting());
    }

    /** Connections open now under this limit. */
    int open() {
        return open.get();
    }

    /**
     * A new limit (0: none), from now on; what is open stays open. Returns once the listeners
     * follow it (a {@code Proxy.reconfigure} that lowered the limit must not return while they
     * still accept past it), unless called on one of their loops, which cannot wait for itself.
     */
    void max(int newMax) {
        max = newMax;
        List<Future<?>> applied;
        if (newMax > 0 && open.get() >= newMax) {
            applied = pauseIfFull();
        } else if (paused) {
            applied = resumeIfRoom();
        } else {
            applied = List.of();
        }
        for (Future<?> listenerFollows : applied) {
            // Bounded: a loop stuck elsewhere must not hang the caller; the task still runs.
            listenerFollows.awaitUninterruptibly(APPLY_PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void connectionOpened() {
        int limit = max;
        if (open.incrementAndGet() >= limit && limit > 0) {
            pauseIfFull();
        }
        if (parent != null) {
            parent.connectionOpened();
        }
    }

    void connectionClosed() {
        int limit = max;
        if ((open.decrementAndGet() < limit || limit == 0) && paused) {
            resumeIfRoom();
        }
        if (parent != null) {
            parent.connectionClosed();
        }
    }

    /**
     * Has each listener's auto-read set on its own loop, to what its limits allow when the task
     * runs: so that tasks queued by a pause and a resume in quick succession, here and in the
     * parent, end with the state both agree on. From another thread, epoll's
     * {@code setAutoRead(false)} leaves the read interest on while a read it requested is pending,
     * which for a listener that has not accepted yet is always: it would go on accepting (Netty's
     * {@code AbstractEpollChannel.clearEpollIn}). Returns the tasks, for {@link #max} to wait
     * for; none of those queued on the caller's own loops, which a wait would deadlock.
     */
    private List<Future<?>> applyToListeners() {
        List<Future<?>> applied = new ArrayList<>();
        listeners.forEach((listener, own) -> {
            EventLoop loop = listener.eventLoop();
            try {
                Future<?> task = loop.submit(() -> listener.config().setAutoRead(own.allowsAccepting()));
                if (!onAnyLoopOf(loop)) {
                    applied.add(task);
                }
            } catch (RejectedExecutionException closing) {
                // The proxy is closing: its listeners are closed too.
            }
        });
        return applied;
    }

    /** Whether this thread is one of the loops of {@code loop}'s group, which a wait on {@code loop} could deadlock. */
    private static boolean onAnyLoopOf(EventLoop loop) {
        EventExecutorGroup group = loop.parent() != null ? loop.parent() : loop;
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private synchronized List<Future<?>> pauseIfFull() {
        int limit = max;
        if (paused || limit == 0) {
            return List.of();
        }
        // Paused first, then the count read again: a close that decremented before this write
        // is seen here (and the pause undone); one after it sees the pause and resumes.
        paused = true;
        if (open.get() < limit) {
            paused = false;
            return List.of();
        }
        return applyToListeners();
    }

    private synchronized List<Future<?>> resumeIfRoom() {
        int limit = max;
        if (paused && (limit == 0 || open.get() < limit)) {
            paused = false;
            return applyToListeners();
        }
        return List.of();
    }
}
