package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.EdgeAdmission;
import dev.zeroproxy.edge.ProxyHeader;
import dev.zeroproxy.edge.ProxyProtocolAccept;
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
        if (!server.isAccepting()) {
            // Accepted just before the listener closed, initialized after: the proxy is stopping.
            Resets.now(client);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress();
        ProxyGeneration generation = server.connectionAccepted(client);
        EdgeAdmission admission = generation.admission();
        if (!admission.admitsAll()) {
            // Before anything else, the PROXY header included: a refused client costs no read.
            ConnectionRefusal refusal = admission.admit(peer);
            if (refusal != null) {
                EdgeRefusals.refuse(generation, client, refusal);
                return;
            }
            client.closeFuture().addListener(f -> admission.released(peer));
        }
        ProxyProtocolAccept accept = generation.config().acceptProxyProtocol().orElse(null);
        if (accept == null) {
            startRelay(generation, client, peer, null);
            return;
        }
        if (!accept.trusts(peer.getAddress())) {
            // Never guessed (the spec): a source outside the trusted proxies is refused unread.
            EdgeRefusals.refuse(generation, client, new ConnectionRefusal(peer, ConnectionRefusal.Reason.UNTRUSTED_PROXY,
                    "not one of the trusted proxies " + accept.trusted()));
            return;
        }
        // Counting from the first read: Netty keeps the handle of a channel's first read for its
        // life, so the relay's pump takes this allocator over rather than setting its own.
        client.config().setRecvByteBufAllocator(new CountingRecvByteBufAllocator(new HeaderReads(client)));
        ProxyHeaderPhase.start(generation, client, peer, accept, (header, leftover) -> {
            if (!server.isAccepting()) {
                // The proxy stopped accepting while this header came: no new relay now.
                Resets.now(client);
                return;
            }
            Relay relay = startRelay(generation, client, peer, header);
            if (relay != null) {
                relay.countEarlyClientBytes(leftover);
            }
        });
    }

    private Relay startRelay(ProxyGeneration generation, Channel client, InetSocketAddress peer, ProxyHeader header) {
        if (!generation.tryHold()) {
            // Its client closed and the generation ended meanwhile (a PROXY header's late callback).
            Resets.now(client);
            return null;
        }
        ConnectionInfo info = new ConnectionInfo(server.nextConnectionId(), peer, null, header);
        Relay relay = new Relay(generation, client, info, generation.idleWheel(client.eventLoop()));
        server.relayOpened(relay);
        relay.open();
        return relay;
    }
}
