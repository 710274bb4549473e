package dev.zeroproxy.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.Iterator;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * Micrometer's Netty event executor meters ({@code netty.eventexecutor.workers}, and
 * {@code netty.eventexecutor.tasks.pending} per loop, tagged with its thread's name) for one
 * event loop group, once however many proxies share it (a {@code ProxyRuntime}'s frontends),
 * tagged {@code event.loop.group} so that two groups' worker counts do not collide. Counted
 * users: the meters go when the last proxy on the group is taken away.
 */
final class EventLoopMeters {
    final EventLoopGroup group;
    private final MeterSet meters = new MeterSet();
    private String name;
    private int users;

    EventLoopMeters(EventLoopGroup group) {
        this.group = group;
    }

    /** One more proxy runs on the group. */
    void retain() {
        users++;
    }

    /** One proxy fewer; returns whether none is left. */
    boolean release() {
        return --users <= 0;
    }

    /** Whether its meters are registered. */
    boolean isBound() {
        return name != null;
    }

    /** The {@code event.loop.group} tag given at {@link #bindTo}, or null before. */
    String tag() {
        return name;
    }

    /**
     * Binds Micrometer's executor meters for the group, tagged with its threads' common name
     * ({@code zeroproxy-epoll-1} for the threads {@code zeroproxy-epoll-1-1}, {@code -2}, ...),
     * made unique against {@code taken}, and keeps them for removal. Learning a thread's name
     * may start the thread, and waits for it: never on an event loop. Under the lock.
     */
    void bindTo(MeterRegistry registry, Predicate<String> taken) {
        String base = "event-loops";
        Iterator<EventExecutor> loops = group.iterator();
        if (loops.hasNext() && loops.next() instanceof SingleThreadEventExecutor loop) {
            try {
                base = loop.threadProperties().name().replaceFirst("-\\d+$", "");
            } catch (RejectedExecutionException stopped) {
                // A loop that never ran and has stopped has no thread to name: the default stands.
            }
        }
        String unique = base;
        for (int n = 2; taken.test(unique); n++) {
            unique = base + "#" + n;
        }
        name = unique;
        new NettyEventExecutorMetrics(group, Tags.of(MeterNames.EVENT_LOOP_GROUP, name)).bindTo(registry);
        // The binder returns nothing: find its meters by name and by the tag given to it.
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().getName().startsWith(MeterNames.NETTY_EXECUTOR_PREFIX)
                    && name.equals(meter.getId().getTag(MeterNames.EVENT_LOOP_GROUP))) {
                meters.add(meter);
            }
        }
    }

    /** Removes the group's meters. Under the lock. */
    void removeFrom(MeterRegistry registry) {
        meters.removeFrom(registry);
        name = null;
    }
}
