package dev.zeroproxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Sits ahead of Netty's PROXY header decoder and verifies a v2 header's CRC32C TLV, which the
 * decoder does not: it looks at the bytes as they pass (without consuming them), keeps a copy of
 * the header's at most 64 KiB, and once the whole header is there checks the checksum if the
 * header carries one (the spec: CRC32C of the whole header with the TLV's own value taken as 0).
 * A v1 header, or a v2 one without the TLV, passes as it is. Then it removes itself.
 */
final class ProxyHeaderCrc extends ChannelInboundHandlerAdapter {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_FIXED = 16;
    private static final int TLV_CRC32C = 0x03;

    private byte[] seen = new byte[V2_FIXED];
    private int length;
    /** Null until decided; then whether the header's checksum (if any) matched. */
    private Boolean verdict;

    /** Whether the header's CRC32C, if it had one, matched; null while not decided. */
    Boolean verdict() {
        return verdict;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (verdict == null && msg instanceof ByteBuf buf) {
            look(buf);
            if (verdict != null) {
                ctx.pipeline().remove(this);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void look(ByteBuf buf) {
        int from = buf.readerIndex();
        int available = buf.readableBytes();
        while (available > 0 && verdict == null) {
            int needed = length < V2_FIXED ? V2_FIXED : V2_FIXED + declaredLength();
            int take = Math.min(available, needed - length);
            if (needed > seen.length) {
                seen = Arrays.copyOf(seen, needed);
            }
            buf.getBytes(from, seen, length, take);
            length += take;
            from += take;
            available -= take;
            if (length >= V2_SIGNATURE.length && !Arrays.equals(seen, 0, V2_SIGNATURE.length, V2_SIGNATURE, 0,
                    V2_SIGNATURE.length)) {
                verdict = Boolean.TRUE; // v1, or no header at all: the decoder decides
            } else if (length >= V2_FIXED && length == V2_FIXED + declaredLength()) {
                verdict = checksumMatches();
            }
        }
    }

    /** The v2 header's length after its fixed 16 bytes. */
    private int declaredLength() {
        return (seen[14] & 0xFF) << 8 | (seen[15] & 0xFF);
    }

    /** Every CRC32C TLV the header carries must be 4 bytes and match; none at all passes. */
    private boolean checksumMatches() {
        int family = (seen[13] & 0xF0) >> 4;
        int addresses = family == 1 ? 12 : family == 2 ? 36 : family == 3 ? 216 : 0;
        int at = V2_FIXED + addresses;
        while (at + 3 <= length) {
            int type = seen[at] & 0xFF;
            int valueLength = (seen[at + 1] & 0xFF) << 8 | (seen[at + 2] & 0xFF);
            if (type == TLV_CRC32C) {
                if (valueLength != 4 || at + 7 > length || !crcAt(at + 3)) {
                    return false;
                }
            }
            at += 3 + valueLength;
        }
        // A malformed TLV list past this point is the decoder's to refuse.
        return true;
    }

    /** Whether the 4 bytes at {@code value} hold the CRC32C of the header with them zeroed. */
    private boolean crcAt(int value) {
        long stated = (seen[value] & 0xFFL) << 24 | (seen[value + 1] & 0xFFL) << 16
                | (seen[value + 2] & 0xFFL) << 8 | (seen[value + 3] & 0xFFL);
        byte[] zeroed = Arrays.copyOf(seen, length);
        Arrays.fill(zeroed, value, value + 4, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(zeroed, 0, length);
        return crc.getValue() == stated;
    }
}
