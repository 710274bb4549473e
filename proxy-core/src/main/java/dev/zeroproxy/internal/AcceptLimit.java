package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private synchronized void pauseIfFull() {
        if (!paused && open.get() >= max) {
            paused = true;
            listeners.forEach(listener -> listener.config().setAutoRead(false));
        }
    }

    private synchronized void resumeIfRoom() {
        if (paused && open.get() < max) {
            paused = false;
            listeners.forEach(listener -> listener.config().setAutoRead(true));
        }
    }
}
