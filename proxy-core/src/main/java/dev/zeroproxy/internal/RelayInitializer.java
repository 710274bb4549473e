package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;

/** Starts a {@link Relay} for every accepted client channel. Shared by all accepted channels. */
@ChannelHandler.Sharable
final class RelayInitializer extends ChannelInitializer<Channel> {
    private final ProxyServer server;

    RelayInitializer(ProxyServer server) {
        this.server = server;
    }

    @Override
    protected void initChannel(Channel client) {
        InetSocketAddress upstream = server.config().upstream().select();
        ConnectionInfo info = new ConnectionInfo(
                server.nextConnectionId(), (InetSocketAddress) client.remoteAddress(), upstream);
        Relay relay = new Relay(server, client, info);
        server.relayOpened(relay);
        relay.open();
    }
}
