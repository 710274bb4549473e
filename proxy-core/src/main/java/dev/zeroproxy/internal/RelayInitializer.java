package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a {@link Relay} for every accepted client channel. Shared by all accepted channels. */
@ChannelHandler.Sharable
final class RelayInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOGGER = LoggerFactory.getLogger(RelayInitializer.class);

    private final ProxyServer server;

    RelayInitializer(ProxyServer server) {
        this.server = server;
    }

    @Override
    protected void initChannel(Channel client) {
        if (client.remoteAddress() == null) {
            // The client reset the connection before it was accepted and the transport could not
            // learn its address: there is no one to relay for.
            LOGGER.debug("Accepted a connection already reset by its client; closing it");
            client.close();
            return;
        }
        InetSocketAddress upstream = server.config().upstream().select();
        ConnectionInfo info = new ConnectionInfo(
                server.nextConnectionId(), (InetSocketAddress) client.remoteAddress(), upstream);
        Relay relay = new Relay(server, client, info);
        server.relayOpened(relay);
        relay.open();
    }
}
