package dev.zeroproxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/**
 * Closing with a reset ({@code SO_LINGER} 0), the one way the proxy ends a connection it cuts or
 * refuses: a FIN would tell the peer that the stream it got was complete.
 */
final class Resets {
    private Resets() { }

    /** Makes {@code channel}'s coming close send a reset (and drop what its kernel still holds). */
    static void onClose(Channel channel) {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
    }

    /** Closes {@code channel} with a reset now, dropping whatever is queued for it. */
    static void now(Channel channel) {
        onClose(channel);
        channel.close();
    }
}
