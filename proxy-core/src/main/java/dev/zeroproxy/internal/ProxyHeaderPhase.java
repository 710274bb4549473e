package dev.zeroproxy.internal;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyHeader;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyTlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol phase of an accepted connection from a trusted proxy: reads (Netty's
 * {@link HAProxyMessageDecoder} parses) the header, within its timeout, and hands it on; the
 * relay then starts with the header in its {@code ConnectionInfo}. Bytes that followed the
 * header in the same read go, in order, to the relay's client pump: the decoder passes them on
 * when it removes itself, and by then the pump stands where this phase stood. A malformed header
 * (or a CRC32C mismatch or TLVs overflowing it, see {@link ProxyHeaderCheck}), or none in time, refuses the connection:
 * nothing reaches an upstream, none is even chosen.
 *
 * <p>Reads are the phase's own business (the relay keeps {@code AUTO_READ} off): one read is
 * asked for at a time until the header is complete. One per connection, on its event loop.
 */
final class ProxyHeaderPhase extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyHeaderPhase.class);

    private final Consumer<ConnectionRefusal> refusals;
    private final InetSocketAddress peer;
    private final ProxyHeaderCheck crc;
    /** Gets the header, and how many bytes followed it in the decoder's last read. */
    private final BiConsumer<ProxyHeader, Integer> next;
    private final ProxyHeaderDecoder decoder;
    private ScheduledFuture<?> timeout;
    private boolean over;

    private ProxyHeaderPhase(Consumer<ConnectionRefusal> refusals, InetSocketAddress peer, ProxyHeaderCheck crc,
            ProxyHeaderDecoder decoder, BiConsumer<ProxyHeader, Integer> next) {
        this.refusals = refusals;
        this.peer = peer;
        this.crc = crc;
        this.decoder = decoder;
        this.next = next;
    }

    /**
     * Starts the phase on {@code client}; {@code next} gets the header, on the loop, once it is
     * read and valid, with the count of bytes that followed it in the same read (payload, which
     * the decoder hands on next).
     */
    static void start(ProxyGeneration generation, Channel client, InetSocketAddress peer, ProxyProtocolAccept accept,
            BiConsumer<ProxyHeader, Integer> next) {
        install(client, peer, accept, next, refusal -> EdgeRefusals.refuse(generation, client, refusal));
    }

    /**
     * {@link #start} without a server: a refusal goes to {@code refusals} (which must end the
     * connection, as {@link EdgeRefusals#refuse} does) instead of the server's counters and
     * listener. For the PROXY header fuzzer, which runs this phase on an {@code EmbeddedChannel}.
     */
    static void install(Channel client, InetSocketAddress peer, ProxyProtocolAccept accept,
            BiConsumer<ProxyHeader, Integer> next, Consumer<ConnectionRefusal> refusals) {
        ProxyHeaderCheck crc = new ProxyHeaderCheck();
        ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(accept.maxTlvBytes());
        ProxyHeaderPhase phase = new ProxyHeaderPhase(refusals, peer, crc, decoder, next);
        client.pipeline().addLast("proxy-header-reset", ResetOnClose.INSTANCE)
                .addLast("proxy-header-check", crc)
                .addLast("proxy-header-decoder", decoder)
                .addLast("proxy-header", phase);
        long millis = accept.headerTimeout().toMillis();
        phase.timeout = client.eventLoop().schedule(() -> phase.refuse(client,
                ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT, "no complete header within " + millis + " ms"),
                millis, TimeUnit.MILLISECONDS);
        client.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (over || !(msg instanceof HAProxyMessage message)) {
            // Only the decoder's message comes here; anything else would be a bug: never leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        ProxyHeader header;
        try {
            header = toHeader(message);
        } catch (RuntimeException e) {
            refuse(ctx.channel(), ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED, String.valueOf(e.getMessage()));
            return;
        } finally {
            message.release();
        }
        if (Boolean.FALSE.equals(crc.verdict())) {
            refuse(ctx.channel(), ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED, crc.problem());
            return;
        }
        end();
        if (ctx.pipeline().get(ProxyHeaderCheck.class) != null) {
            ctx.pipeline().remove(ProxyHeaderCheck.class);
        }
        ctx.pipeline().remove(ResetOnClose.INSTANCE);
        ctx.pipeline().remove(this);
        // The relay's pump joins the pipeline now, behind the decoder, which then removes itself
        // and hands what followed the header to it.
        next.accept(header, decoder.leftover());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!over) {
            ctx.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!over) {
            Throwable reason = cause.getCause() != null ? cause.getCause() : cause;
            refuse(ctx.channel(), ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED, String.valueOf(reason.getMessage()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!over) {
            // The proxy in front closed before sending a header: nothing to refuse, nothing to relay.
            LOGGER.debug("{} closed before its PROXY header", peer);
            end();
        }
    }

    private void refuse(Channel client, ConnectionRefusal.Reason reason, String detail) {
        if (over) {
            return;
        }
        end();
        refusals.accept(new ConnectionRefusal(peer, reason, detail));
    }

    private void end() {
        over = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /**
     * Every close during the phase is a refusal, and a refusal is a reset: Netty's decoder closes
     * the channel itself on a malformed header, before the phase hears of it (a plain close,
     * which would read as a clean, empty answer), so the reset is set on its way out.
     */
    @ChannelHandler.Sharable
    private static final class ResetOnClose extends ChannelOutboundHandlerAdapter {
        static final ResetOnClose INSTANCE = new ResetOnClose();

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            Resets.onClose(ctx.channel());
            ctx.close(promise);
        }
    }

    /** Netty's decoder, telling how many bytes it holds past the header it decoded. */
    private static final class ProxyHeaderDecoder extends HAProxyMessageDecoder {
        ProxyHeaderDecoder(int maxTlvBytes) {
            super(maxTlvBytes);
        }

        int leftover() {
            ByteBuf held = internalBuffer();
            return held == null ? 0 : held.readableBytes();
        }
    }

    private static ProxyHeader toHeader(HAProxyMessage message) {
        int version = message.protocolVersion().byteValue() >> 4 == 1 ? 1 : 2;
        List<ProxyTlv> tlvs = new ArrayList<>();
        for (HAProxyTLV tlv : message.tlvs()) {
            ByteBuf content = tlv.content();
            tlvs.add(new ProxyTlv(tlv.typeByteValue() & 0xFF, ByteBufUtil.getBytes(content)));
        }
        boolean local = message.command() == HAProxyCommand.LOCAL
                || message.proxiedProtocol() == HAProxyProxiedProtocol.UNKNOWN;
        if (local) {
            return new ProxyHeader(version, true, null, null, tlvs);
        }
        if (message.proxiedProtocol() != HAProxyProxiedProtocol.TCP4 && message.proxiedProtocol() != HAProxyProxiedProtocol.TCP6) {
            throw new IllegalArgumentException("not a TCP connection: " + message.proxiedProtocol());
        }
        return new ProxyHeader(version, false,
                new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(message.sourceAddress()),
                        message.sourcePort()),
                new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(
                        message.destinationAddress()), message.destinationPort()),
                tlvs);
    }
}
