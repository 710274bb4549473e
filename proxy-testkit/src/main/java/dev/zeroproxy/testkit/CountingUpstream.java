package dev.zeroproxy.testkit;

import dev.zeroproxy.Upstream;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamRuntime;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link Upstream} to one address that counts what the proxy asks of it: starts, stops and
 * selects. Like a group, it serves one running proxy at a time: a second {@link #start} before
 * a {@link #stop} is an {@link IllegalStateException}, and an attempt selected while it is
 * stopped is refused, so that a proxy stopping it too early breaks the connections that still
 * use it rather than passing unnoticed. Thread-safe.
 */
public final class CountingUpstream implements Upstream {
    private final InetSocketAddress address;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();
    private final AtomicInteger selects = new AtomicInteger();
    private volatile boolean running;

    private CountingUpstream(InetSocketAddress address) {
        this.address = address;
    }

    /** An upstream that sends every attempt to {@code address}. */
    public static CountingUpstream to(InetSocketAddress address) {
        return new CountingUpstream(address);
    }

    @Override
    public void select(UpstreamAttempt attempt) {
        selects.incrementAndGet();
        if (!running) {
            attempt.refuse(new IllegalStateException(this + " was selected while stopped"));
            return;
        }
        attempt.connect(() -> address);
    }

    @Override
    public synchronized void start(UpstreamRuntime runtime) {
        if (running) {
            throw new IllegalStateException(this + " already serves a running proxy");
        }
        running = true;
        starts.incrementAndGet();
    }

    @Override
    public synchronized void stop() {
        running = false;
        stops.incrementAndGet();
    }

    /** Whether it was started and not stopped since. */
    public boolean isRunning() {
        return running;
    }

    /** How many times it was started. */
    public int starts() {
        return starts.get();
    }

    /** How many times it was stopped. */
    public int stops() {
        return stops.get();
    }

    /** How many attempts it was asked to serve. */
    public int selects() {
        return selects.get();
    }

    @Override
    public String toString() {
        return "CountingUpstream{" + address.getHostString() + ":" + address.getPort() + "}";
    }
}
