package dev.zeroproxy.testkit;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerStateChange;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A {@link ProxyListener} that keeps every event, so tests can assert each happened exactly once. */
public final class RecordingListener implements ProxyListener {
    /** One event as heard. */
    public record Event(String kind, ConnectionInfo connection, Throwable cause, ConnectionSummary summary) { }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Semaphore closedPermits = new Semaphore(0);
    private final List<ServerStateChange> stateChanges = new CopyOnWriteArrayList<>();
    private final List<ConnectionRefusal> refusals = new CopyOnWriteArrayList<>();
    private final java.util.Map<ServerStateChange, Long> stateChangeNanos = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void connectionOpened(ConnectionInfo connection) {
        events.add(new Event("opened", connection, null, null));
    }

    @Override
    public void upstreamConnected(ConnectionInfo connection) {
        events.add(new Event("connected", connection, null, null));
    }

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        events.add(new Event("attemptFailed", connection, cause, null));
    }

    @Override
    public void serverStateChanged(ServerStateChange change) {
        stateChangeNanos.put(change, System.nanoTime());
        stateChanges.add(change);
    }

    /** When {@code change} was heard, on {@link System#nanoTime()}'s clock. */
    public long heardAtNanos(ServerStateChange change) {
        return stateChangeNanos.get(change);
    }

    @Override
    public void connectionRefused(ConnectionRefusal refusal) {
        refusals.add(refusal);
    }

    /** Every refusal at the edge heard, in order. */
    public List<ConnectionRefusal> refusals() {
        return List.copyOf(refusals);
    }

    /** Every server state change heard, in order. */
    public List<ServerStateChange> stateChanges() {
        return List.copyOf(stateChanges);
    }

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        events.add(new Event("connectFailed", connection, cause, null));
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        events.add(new Event("closed", connection, summary.cause(), summary));
        closedPermits.release();
    }

    /** Waits until {@code count} connections have been reported closed. */
    public void awaitClosed(int count, long timeoutSeconds) throws InterruptedException {
        if (!closedPermits.tryAcquire(count, timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("expected " + count + " closed connection(s) within " + timeoutSeconds
                    + " s; events so far: " + events);
        }
        closedPermits.release(count);
    }

    /** Events of one kind, in order. */
    public List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    /** Every event, in order. */
    public List<Event> all() {
        return List.copyOf(events);
    }
}
