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
 * It also refuses what the decoder lets through: a TCP header whose TLVs overflow it with fewer
 * than 4 bytes left, or an SSL TLV whose sub-TLVs overflow it, which the decoder silently drops.
 * A v1 header, or a well-formed v2 one without the TLV, passes as it is. Then it removes itself.
 */
final class ProxyHeaderCheck extends ChannelInboundHandlerAdapter {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_FIXED = 16;
    private static final int TLV_CRC32C = 0x03;
    private static final int TLV_SSL = 0x20;
    /** An SSL TLV's client byte and verify field, ahead of its sub-TLVs. */
    private static final int SSL_FIXED = 5;

    private byte[] seen = new byte[V2_FIXED];
    private int length;
    /** Null until decided; then whether the header's checksum (if any) matched and its TLVs fit it. */
    private Boolean verdict;
    /** Why the verdict is false. */
    private String problem;
    private boolean malformedTlvs;

    /**
     * Whether the header's CRC32C, if it had one, matched, and a TCP header's TLVs fit it
     * exactly; null while not decided.
     */
    Boolean verdict() {
        return verdict;
    }

    /** Why {@link #verdict()} is false: a CRC32C mismatch or malformed TLVs. */
    String problem() {
        return problem;
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
                verdict = checksumAndTlvsHold();
            }
        }
    }

    /** The v2 header's length after its fixed 16 bytes. */
    private int declaredLength() {
        return (seen[14] & 0xFF) << 8 | (seen[15] & 0xFF);
    }

    private boolean checksumAndTlvsHold() {
        int family = (seen[13] & 0xF0) >> 4;
        int addresses = family == 1 ? 12 : family == 2 ? 36 : family == 3 ? 216 : 0;
        int tlvs = V2_FIXED + addresses;
        int at = tlvs;
        boolean matched = true;
        while (at + 3 <= length) {
            int type = seen[at] & 0xFF;
            int valueLength = (seen[at + 1] & 0xFF) << 8 | (seen[at + 2] & 0xFF);
            // Every CRC32C TLV must be 4 bytes and match (HAProxy refuses any other length too).
            if (type == TLV_CRC32C && (valueLength != 4 || at + 7 > length || !crcAt(at + 3))) {
                matched = false;
            }
            if (type == TLV_SSL && valueLength >= SSL_FIXED && at + 3 + valueLength <= length
                    && !fills(at + 3 + SSL_FIXED, at + 3 + valueLength)) {
                malformedTlvs = true;
            }
            at += 3 + valueLength;
        }
        if (!matched) {
            problem = "CRC32C mismatch";
            return false;
        }
        // Netty's decoder drops, without a word, the last 1..3 bytes of a header when they cannot
        // hold a TLV, and an SSL TLV's overflowing sub-TLVs: a TCP header's TLVs must fill it
        // exactly (LOCAL and the other families' blocks are the decoder's to discard or refuse).
        boolean proxyCommand = (seen[12] & 0x0F) == 1;
        if (proxyCommand && (family == 1 || family == 2) && tlvs <= length
                && (at != length || malformedTlvs)) {
            problem = "malformed TLVs: they overflow the header";
            return false;
        }
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

    /** Whether TLVs fill {@code [from, to)} of the header exactly. */
    private boolean fills(int from, int to) {
        int at = from;
        while (at + 3 <= to) {
            at += 3 + ((seen[at + 1] & 0xFF) << 8 | (seen[at + 2] & 0xFF));
        }
        return at == to;
    }
}
