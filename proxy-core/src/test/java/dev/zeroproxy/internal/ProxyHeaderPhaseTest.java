package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyHeader;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyTlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PROXY header phase on Netty's {@code EmbeddedChannel} ({@link ProxyHeaderPhases}), and the
 * regression the fuzzer found: Netty's decoder accepts a v2 header whose TLVs overflow it when
 * fewer than 4 bytes are left (the stray bytes dropped), and an SSL TLV whose sub-TLVs overflow
 * it (the sub-TLVs dropped), without a word; such a header is now refused as malformed.
 */
class ProxyHeaderPhaseTest {
    private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";
    /** TCP4 1.2.3.4:1 -> 5.6.7.8:2. */
    private static final String TCP4_ADDRESSES = "0102030405060708" + "0001" + "0002";

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<ProxyHeader> accepted = new ArrayList<>();
    private final List<ConnectionRefusal> refused = new ArrayList<>();
    private final List<byte[]> passedOn = new ArrayList<>();

    ProxyHeaderPhaseTest() {
        channel.freezeTime();
        ProxyHeaderPhases.install(channel, new InetSocketAddress("127.0.0.1", 4000), ProxyProtocolAccept.from("127.0.0.1"),
                header -> {
                    accepted.add(header);
                    channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                            passedOn.add(ByteBufUtil.getBytes((ByteBuf) msg));
                            ((ByteBuf) msg).release();
                        }
                    });
                }, refused::add);
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private static String v2Tcp4(String tlvs) {
        int length = TCP4_ADDRESSES.length() / 2 + tlvs.length() / 2;
        return SIGNATURE + "2111" + String.format("%04x", length) + TCP4_ADDRESSES + tlvs;
    }

    private void feed(String hex) {
        channel.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
    }

    private void assertRefused(String detail) {
        assertEquals(List.of(), accepted);
        assertEquals(1, refused.size());
        assertEquals(ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED, refused.get(0).reason());
        assertTrue(refused.get(0).detail().contains(detail), refused.get(0).detail());
        assertFalse(channel.isOpen());
    }

    @Test
    void aValidHeaderIsAcceptedAndWhatFollowsPassedOn() {
        feed(v2Tcp4("e00002abcd") + "68656c6c6f");
        assertEquals(1, accepted.size());
        assertEquals(new InetSocketAddress("1.2.3.4", 1), accepted.get(0).source());
        assertEquals(List.of(new ProxyTlv(0xE0, new byte[] {(byte) 0xAB, (byte) 0xCD})), accepted.get(0).tlvs());
        assertEquals("hello", new String(passedOn.get(0), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(List.of(), refused);
    }

    @Test
    void aTlvOverflowingTheHeaderIsRefusedNotDropped() {
        feed(v2Tcp4("e07f7f"));
        assertRefused("malformed TLVs");
    }

    @Test
    void aTlvOverflowingTheHeaderWithBytesLeftIsRefusedByTheDecoder() {
        // A TLV claiming 0x10 bytes where there are 7 (a CRC32C TLV): Netty's decoder fails it itself.
        feed(v2Tcp4("040010" + "03000400000000"));
        assertRefused("");
    }

    @Test
    void anSslSubTlvOverflowingItsSslTlvIsRefused() {
        // SSL TLV of 8 bytes: client, verify, then a sub-TLV claiming 9 bytes with none.
        feed(v2Tcp4("200008" + "00" + "00000000" + "210009"));
        assertRefused("malformed TLVs");
    }

    @Test
    void trailingBytesTooShortForATlvAreRefused() {
        feed(v2Tcp4("e00001ff" + "04"));
        assertRefused("malformed TLVs");
    }

    @Test
    void aLocalHeadersBlockIsDiscardedAsTheSpecSays() {
        feed(SIGNATURE + "2011" + "0003" + "e07f7f");
        assertEquals(1, accepted.size());
        assertTrue(accepted.get(0).local());
        assertEquals(List.of(), refused);
    }

    @Test
    void aWellFormedChecksumStillMatches() {
        byte[] header = HexFormat.of().parseHex(v2Tcp4("e00002abcd" + "03000400000000"));
        CRC32C crc = new CRC32C();
        crc.update(header);
        long value = crc.getValue();
        for (int i = 0; i < 4; i++) {
            header[header.length - 4 + i] = (byte) (value >> (24 - 8 * i));
        }
        channel.writeInbound(Unpooled.wrappedBuffer(header));
        assertEquals(1, accepted.size());
        assertEquals(List.of(), refused);
    }

    @Test
    void noCompleteHeaderIsRefusedWhenTheClockPassesTheTimeout() {
        feed(SIGNATURE + "21");
        assertEquals(List.of(), refused);
        channel.advanceTimeBy(ProxyProtocolAccept.DEFAULT_HEADER_TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(1, refused.size());
        assertEquals(ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT, refused.get(0).reason());
        assertFalse(channel.isOpen());
    }
}
