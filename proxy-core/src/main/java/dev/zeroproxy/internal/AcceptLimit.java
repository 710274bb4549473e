package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy-wide connection limit ({@code ProxyBuilder.maxConnections}): at the limit every
 * listener stops accepting, so new clients wait in the kernel's backlog rather than being
 * accepted and refused, and accepting resumes when a connection closes. Counts from every event
 * loop; the pause and the resume are rare and serialized.
 */
final class AcceptLimit {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean paused;

    /** @param max the limit; 0 for none */
    AcceptLimit(int max) {
        this.max = max;
    }

    void addListener(Channel listener) {
        listeners.add(listener);
    }

    /** Whether the listeners may accept now; {@link AcceptBackoff} asks before it resumes one. */
    boolean allowsAccepting() {
        return !paused;
    }

    void connectionOpened() {
        if (max > 0 && open.incrementAndGet() >= max) {
            pauseIfFull();
        }
    }

    void connectionClosed() {
        if (max > 0 && open.decrementAndGet() < max && paused) {
            resumeIfRoom();
        }
    }

    /**
     * Sets the listener's auto-read on its own loop, in the order the pauses and resumes were
     * decided. From another thread, epoll's {@code setAutoRead(false)} leaves the read interest
     * on while a read it requested is pending, which for a listener that has not accepted yet is
     * always: it would go on accepting (Netty's {@code AbstractEpollChannel.clearEpollIn}).
     */
    private static void onItsLoop(Channel listener, boolean autoRead) {
        try {
            listener.eventLoop().execute(() -> listener.config().setAutoRead(autoRead));
        } catch (RejectedExecutionException closing) {
            // The proxy is closing: its listeners are closed too.
        }
    }

    private synchronized void pauseIfFull() {
        if (paused) {
            return;
        }
        // Paused first, then the count read again: a close that decremented before this write
        // is seen here (and the pause undone); one after it sees the pause and resumes.
        paused = true;
        if (open.get() < max) {
            paused = false;
            return;
        }
        listeners.forEach(listener -> onItsLoop(listener, false));
    }

    private synchronized void resumeIfRoom() {
        if (paused && open.get() < max) {
            paused = false;
            listeners.forEach(listener -> onItsLoop(listener, true));
        }
    }
}
