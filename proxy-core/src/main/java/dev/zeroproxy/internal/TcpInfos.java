package dev.zeroproxy.internal;

import dev.zeroproxy.TcpInfo;
import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a socket's kernel figures for a snapshot or a flight event, never failing the caller. */
final class TcpInfos {
    private static final Logger LOGGER = LoggerFactory.getLogger(TcpInfos.class);

    private TcpInfos() { }

    /**
     * {@code channel}'s figures, or null: the transport cannot read them, the channel is not
     * active, or the read failed (getsockopt on a socket closing meanwhile). On the channel's loop.
     */
    static TcpInfo read(Transport transport, Channel channel) {
        if (!channel.isActive()) {
            return null;
        }
        try {
            return transport.tcpInfo(channel);
        } catch (RuntimeException e) {
            LOGGER.debug("TCP_INFO of {} could not be read: {}", channel, e.toString());
            return null;
        }
    }
}
