package dev.zeroproxy.internal;

import dev.zeroproxy.edge.ConnectionRefusal;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection refused at the edge: counted by reason, reported to the listener once, and
 * reset (a refusal is never a clean end: the client's bytes reached no one).
 */
final class EdgeRefusals {
    private static final Logger LOGGER = LoggerFactory.getLogger(EdgeRefusals.class);

    private EdgeRefusals() { }

    /** Closes {@code client} with a reset, without a refusal to report (the proxy is stopping). */
    static void closeQuietly(Channel client) {
        if (client.isOpen()) {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        client.close();
    }

    static void refuse(ProxyServer server, Channel client, ConnectionRefusal refusal) {
        server.counters().refused.get(refusal.reason()).increment();
        LOGGER.debug("Refused {}: {} ({})", refusal.client(), refusal.reason(), refusal.detail());
        try {
            server.config().listener().connectionRefused(refusal);
        } catch (RuntimeException e) {
            LOGGER.warn("ProxyListener.connectionRefused threw; ignored", e);
        }
        reset(client);
    }

    /** Closes {@code client} with a reset (SO_LINGER 0), as every refusal does. */
    static void reset(Channel client) {
        if (client.isOpen()) {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        client.close();
    }
}
