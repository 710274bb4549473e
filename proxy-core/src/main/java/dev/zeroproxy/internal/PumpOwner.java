package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;

/**
 * What a {@link Pump} asks of the connection it belongs to: the {@link Relay}, or a stand-in in
 * the pump's unit tests. Every call is made on the pair's event loop.
 */
interface PumpOwner {
    /** The connection's number, for the pump's flight events. */
    long connectionId();

    /** The proxy-wide counters the pump adds its bytes to. */
    ProxyCounters counters();

    /** The proxy-wide budget the pump reports its sink's queued bytes to. */
    MemoryBudget memoryBudget();

    /** The pump whose sink is {@code channel}. */
    Pump pumpInto(Channel channel);

    /** The pump whose source is {@code channel}. */
    Pump pumpFrom(Channel channel);

    /** Half-closes {@code sink}, whose last byte is written, as the proxy's transport does it. */
    ChannelFuture shutdownOutput(DuplexChannel sink);

    /** A direction reached {@link PumpState#FINISHED}; the pair ends cleanly when both have. */
    void directionFinished();

    /** {@code channel} closed without the relay asking. */
    void channelInactive(Channel channel);

    /** Whether reading is paused for the whole pair (an operator's pause): no pump turns reading on while it is. */
    boolean readingPaused();

    /** {@code failed} reported an I/O error: the pair is cut, and its other end must see a reset. */
    void abort(Throwable error, Channel failed);
}
