package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
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

    /** A new limit (0: none), from now on; what is open stays open. */
    void max(int newMax) {
        max = newMax;
        if (newMax > 0 && open.get() >= newMax) {
            pauseIfFull();
        } else if (paused) {
            resumeIfRoom();
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
     * {@code AbstractEpollChannel.clearEpollIn}).
     */
    private void applyToListeners() {
        listeners.forEach((listener, own) -> {
            try {
                listener.eventLoop().execute(() -> listener.config().setAutoRead(own.allowsAccepting()));
            } catch (RejectedExecutionException closing) {
                // The proxy is closing: its listeners are closed too.
            }
        });
    }

    private synchronized void pauseIfFull() {
        int limit = max;
        if (paused || limit == 0) {
            return;
        }
        // Paused first, then the count read again: a close that decremented before this write
        // is seen here (and the pause undone); one after it sees the pause and resumes.
        paused = true;
        if (open.get() < limit) {
            paused = false;
            return;
        }
        applyToListeners();
    }

    private synchronized void resumeIfRoom() {
        int limit = max;
        if (paused && (limit == 0 || open.get() < limit)) {
            paused = false;
            applyToListeners();
        }
    }
}
