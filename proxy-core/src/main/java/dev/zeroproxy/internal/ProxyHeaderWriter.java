package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.edge.ProxyTlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes the PROXY protocol header to a newly connected upstream, through Netty's own encoder,
 * without flushing: the relay's first flush sends it together with what the client sent so far
 * (one write where the client sent anything), and flushes it alone otherwise, so that a server
 * that speaks first is not kept waiting for it.
 */
final class ProxyHeaderWriter {
    private ProxyHeaderWriter() { }

    static void write(Channel upstream, Channel client, ConnectionInfo info, ProxyProtocolSend send) {
        InetSocketAddress source = info.originalClient();
        InetSocketAddress destination = info.originalDestination().orElse((InetSocketAddress) client.localAddress());
        boolean v6 = source.getAddress() instanceof Inet6Address || destination.getAddress() instanceof Inet6Address;
        List<HAProxyTLV> tlvs = new ArrayList<>();
        if (send.version() == 2) {
            if (send.passTlvs() && info.proxyHeader() != null) {
                info.proxyHeader().tlvs().stream().filter(t -> t.type() != ProxyTlv.CRC32C).forEach(t -> tlvs.add(tlv(t)));
            }
            send.added().forEach(t -> tlvs.add(tlv(t)));
            if (send.crc32c()) {
                // Last, with a zero value: Crc32cStamp fills it in once the header is encoded.
                tlvs.add(new HAProxyTLV((byte) ProxyTlv.CRC32C, Unpooled.wrappedBuffer(new byte[4])));
            }
        }
        HAProxyMessage message = new HAProxyMessage(
                send.version() == 1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
                text(source.getAddress(), v6), text(destination.getAddress(), v6), source.getPort(),
                destination.getPort(), tlvs);
        ChannelPipeline pipeline = upstream.pipeline();
        pipeline.addFirst("proxy-header-encoder", HAProxyMessageEncoder.INSTANCE);
        if (send.crc32c()) {
            pipeline.addFirst("proxy-header-crc", new Crc32cStamp());
        }
        upstream.write(message, upstream.voidPromise());
        pipeline.remove("proxy-header-encoder");
        if (send.crc32c()) {
            pipeline.remove("proxy-header-crc");
        }
    }

    private static HAProxyTLV tlv(ProxyTlv tlv) {
        return new HAProxyTLV((byte) tlv.type(), Unpooled.wrappedBuffer(tlv.value()));
    }

    /** The address as the header writes it; an IPv4 one as IPv4-mapped IPv6 when the other is IPv6. */
    private static String text(InetAddress address, boolean v6) {
        if (v6 && address instanceof Inet4Address) {
            return "::ffff:" + address.getHostAddress();
        }
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    /** Sets the CRC32C TLV (the header's last 4 bytes) over the encoded header, as the spec defines it. */
    private static final class Crc32cStamp extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf header && header.readableBytes() >= 4) {
                CRC32C crc = new CRC32C();
                crc.update(header.nioBuffer());
                header.setInt(header.writerIndex() - 4, (int) crc.getValue());
            }
            ctx.write(msg, promise);
        }
    }
}
