package dev.zeroproxy.internal;

import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a listening channel: hands every accepted channel to {@link Transport#prepareChannel}
 * before it is registered with its event loop. Upstream channels get the same through
 * {@link #prepareOrClose}, from the upstream Bootstrap's channel factory.
 *
 * <p>Why here: the listener's pipeline sees each accepted channel before Netty's acceptor
 * registers it, so what the transport sets up (epoll's interest set) goes into the
 * registration itself instead of costing one more system call right after it.
 *
 * <p>With {@code readFromRegistration}, channels are prepared with
 * {@link Transport#prepareReadingChannel}: only when the relay's forwarding starts by copying,
 * since a splice must be queued before a source's first read (see {@link Pump#start}).
 */
@ChannelHandler.Sharable
final class AcceptedChannelPreparer extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(AcceptedChannelPreparer.class);
    private final Transport transport;
    private final boolean readFromRegistration;

    AcceptedChannelPreparer(Transport transport, boolean readFromRegistration) {
        this.transport = transport;
        this.readFromRegistration = readFromRegistration;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel) {
            Channel accepted = (Channel) msg;
            try {
                prepareOrClose(transport, accepted, readFromRegistration);
            } catch (RuntimeException e) {
                LOGGER.warn("Transport {} could not prepare accepted channel {}; closed it", transport.name(),
                        accepted, e);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * {@link Transport#prepareChannel} (or {@link Transport#prepareReadingChannel} when
     * {@code readFromRegistration}) for a channel not yet registered; if that throws, the
     * channel's socket is closed before the exception goes on, since neither Netty's acceptor nor
     * a Bootstrap has the channel yet to close it.
     */
    static void prepareOrClose(Transport transport, Channel channel, boolean readFromRegistration) {
        try {
            // AUTO_READ off already here, as the relay's options will set it: turning it off
            // clears the channel's read interest, so done later (by the acceptor or the
            // Bootstrap, which apply the options after this) it would undo what
            // prepareReadingChannel sets up. Off already, setting it again changes nothing.
            channel.config().setAutoRead(false);
            if (readFromRegistration) {
                transport.prepareReadingChannel(channel);
            } else {
                transport.prepareChannel(channel);
            }
        } catch (RuntimeException e) {
            channel.unsafe().closeForcibly();
            throw e;
        }
    }
}
