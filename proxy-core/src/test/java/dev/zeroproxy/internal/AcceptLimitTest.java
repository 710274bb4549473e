package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection limits that pause accepting: a proxy's own, a runtime's over several proxies,
 * both at once, and a limit changed while connections are open.
 */
class AcceptLimitTest {

    /** A listening channel whose auto-read the limits switch; its loop runs what they queue on {@link #settle}. */
    private static EmbeddedChannel listener(AcceptLimit limit) {
        EmbeddedChannel listener = new EmbeddedChannel();
        limit.addListener(listener);
        return listener;
    }

    private static void settle(EmbeddedChannel... listeners) {
        for (EmbeddedChannel listener : listeners) {
            listener.runPendingTasks();
        }
    }

    private static void opened(AcceptLimit limit, int times) {
        for (int i = 0; i < times; i++) {
            limit.connectionOpened();
        }
    }

    @Test
    void aRuntimeLimitPausesTheListenersOfEveryProxyAndResumesWhenAnyConnectionCloses() {
        AcceptLimit runtime = new AcceptLimit(3, null);
        AcceptLimit first = new AcceptLimit(0, runtime);
        AcceptLimit second = new AcceptLimit(0, runtime);
        EmbeddedChannel a = listener(first);
        EmbeddedChannel b = listener(second);
        opened(first, 2);
        opened(second, 1);
        settle(a, b);
        assertEquals(3, runtime.open(), "each connection counts in the runtime too");
        assertEquals(List.of(2, 1), List.of(first.open(), second.open()));
        assertFalse(a.config().isAutoRead(), "the runtime is full: the first proxy waits");
        assertFalse(b.config().isAutoRead(), "and so does the second, whose own count is 1");

        first.connectionClosed();
        settle(a, b);
        assertTrue(a.config().isAutoRead());
        assertTrue(b.config().isAutoRead(), "room in the runtime: both accept again");
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void aListenerAcceptsOnlyWhileBothItsProxyAndItsRuntimeHaveRoom() {
        AcceptLimit runtime = new AcceptLimit(2, null);
        AcceptLimit small = new AcceptLimit(1, runtime);
        AcceptLimit other = new AcceptLimit(0, runtime);
        EmbeddedChannel a = listener(small);
        EmbeddedChannel b = listener(other);
        opened(small, 1);
        settle(a, b);
        assertFalse(a.config().isAutoRead(), "its own limit reached");
        assertTrue(b.config().isAutoRead(), "the other proxy is not concerned");

        opened(other, 1);
        settle(a, b);
        assertFalse(b.config().isAutoRead(), "the runtime's limit reached");

        other.connectionClosed();
        settle(a, b);
        assertTrue(b.config().isAutoRead(), "room in the runtime and in its own");
        assertFalse(a.config().isAutoRead(), "room in the runtime, not in its own: still paused");

        small.connectionClosed();
        settle(a, b);
        assertTrue(a.config().isAutoRead());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void aLimitLoweredBelowTheOpenConnectionsPausesAndOneRaisedOrRemovedResumes() {
        AcceptLimit limit = new AcceptLimit(0, null);
        EmbeddedChannel a = listener(limit);
        opened(limit, 3);
        settle(a);
        assertTrue(a.config().isAutoRead(), "no limit");

        limit.max(2);
        settle(a);
        assertFalse(a.config().isAutoRead(), "3 open, 2 allowed");
        limit.connectionClosed();
        settle(a);
        assertFalse(a.config().isAutoRead(), "2 open, 2 allowed");

        limit.max(3);
        settle(a);
        assertTrue(a.config().isAutoRead(), "raised above what is open");
        opened(limit, 1);
        settle(a);
        assertFalse(a.config().isAutoRead(), "full again at 3");
        limit.max(0);
        settle(a);
        assertTrue(a.config().isAutoRead(), "no limit any more");
        a.finishAndReleaseAll();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aLoweredLimitHasTheListenersPausedWhenMaxReturns() throws Exception {
        EventLoopGroup loops = Transport.nio().newEventLoopGroup(1, new DefaultThreadFactory("accept-limit-test"));
        try {
            Channel listener = new ServerBootstrap().group(loops).channelFactory(Transport.nio().serverChannelFactory())
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            AcceptLimit limit = new AcceptLimit(0, null);
            limit.addListener(listener);
            opened(limit, 2);
            for (int round = 0; round < 50; round++) {
                limit.max(1);
                assertFalse(listener.config().isAutoRead(), "paused by the time max() returned, round " + round);
                limit.max(0);
                assertTrue(listener.config().isAutoRead(), "resumed by the time max() returned, round " + round);
            }
            listener.close().sync();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
