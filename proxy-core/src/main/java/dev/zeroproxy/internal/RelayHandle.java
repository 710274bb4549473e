package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionHandle;
import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSnapshot;
import dev.zeroproxy.InvalidSettingException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The public handle on one {@link Relay}: every action is handed to the relay's event loop,
 * where the relay does it (or nothing, once it is closing). Made per call of
 * {@link dev.zeroproxy.Proxy#connections()}; holds nothing of its own.
 */
final class RelayHandle implements ConnectionHandle {
    private final Relay relay;

    RelayHandle(Relay relay) {
        this.relay = relay;
    }

    @Override
    public long id() {
        return relay.id();
    }

    @Override
    public ConnectionInfo info() {
        return relay.info();
    }

    @Override
    public Instant openedAt() {
        return relay.openedAt();
    }

    @Override
    public CompletionStage<ConnectionSnapshot> snapshot() {
        CompletableFuture<ConnectionSnapshot> taken = new CompletableFuture<>();
        boolean queued = onLoop(() -> {
            try {
                ConnectionSnapshot snapshot = relay.snapshot();
                if (snapshot == null) {
                    taken.completeExceptionally(new IllegalStateException("connection #" + id() + " has ended"));
                } else {
                    taken.complete(snapshot);
                }
            } catch (RuntimeException | Error e) {
                // Whoever waits must hear of it rather than wait forever.
                taken.completeExceptionally(e);
            }
        });
        if (!queued) {
            taken.completeExceptionally(new IllegalStateException("connection #" + id() + " has ended"));
        }
        return taken;
    }

    @Override
    public void pause() {
        onLoop(() -> relay.pauseReading(true));
    }

    @Override
    public void resume() {
        onLoop(() -> relay.pauseReading(false));
    }

    @Override
    public void rateLimit(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new InvalidSettingException("rateLimit", bytesPerSecond, ">= 0 bytes per second (0: no limit)");
        }
        onLoop(() -> relay.rateLimit(bytesPerSecond));
    }

    @Override
    public void close(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new InvalidSettingException("deadline", deadline, ">= 0");
        }
        onLoop(() -> relay.closeByOperator(deadline));
    }

    @Override
    public void reset() {
        onLoop(relay::resetByOperator);
    }

    /** Runs {@code action} on the relay's loop; false if the loop no longer takes tasks (the proxy stopped). */
    private boolean onLoop(Runnable action) {
        try {
            relay.eventLoop().execute(action);
            return true;
        } catch (RejectedExecutionException stopped) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "ConnectionHandle" + relay.info();
    }
}
