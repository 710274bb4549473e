package dev.zeroproxy.internal;

import dev.zeroproxy.edge.ConnectionRefusal;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection refused at the edge: counted by reason, reported to the listener once, and
 * reset (a refusal is never a clean end: the client's bytes reached no one).
 */
final class EdgeRefusals {
    private static final Logger LOGGER = LoggerFactory.getLogger(EdgeRefusals.class);

    private EdgeRefusals() { }

    /** @param generation the configuration the client was accepted under, whose listener hears it */
    static void refuse(ProxyGeneration generation, Channel client, ConnectionRefusal refusal) {
        generation.server().counters().refused.get(refusal.reason()).increment();
        LOGGER.debug("Refused {}: {} ({})", refusal.client(), refusal.reason(), refusal.detail());
        try {
            generation.config().listener().connectionRefused(refusal);
        } catch (RuntimeException e) {
            LOGGER.warn("ProxyListener.connectionRefused threw; ignored", e);
        }
        Resets.now(client);
    }
}
