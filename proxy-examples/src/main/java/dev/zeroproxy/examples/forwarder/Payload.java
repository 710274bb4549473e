package dev.zeroproxy.examples.forwarder;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * What the demo sends: one block of random bytes, repeated and cut to any length, with the
 * CRC32C the receiver must report for that length.
 *
 * <p>Random bytes, so that no compression or pattern on the way flatters a row; one block, so
 * that the sender spends no CPU making data and the expected checksum is computed once, before
 * timing starts. Thread-safe: the block is only ever read through duplicates.
 */
final class Payload {
    /** Bytes per write: large enough that system-call overhead does not dominate the sender. */
    static final int BLOCK_SIZE = 256 * 1024;

    private final ByteBuffer block;
    private final Map<Long, Long> checksums = new ConcurrentHashMap<>();

    Payload(long seed) {
        byte[] bytes = new byte[BLOCK_SIZE];
        new SplittableRandom(seed).nextBytes(bytes);
        // Direct, so that writing it to a socket needs no copy into a temporary direct buffer.
        block = ByteBuffer.allocateDirect(BLOCK_SIZE).put(bytes).flip();
    }

    /** A private view of the block, position 0, limit {@link #BLOCK_SIZE}. */
    ByteBuffer block() {
        return block.duplicate();
    }

    /** The CRC32C of the first {@code length} bytes of the repeated block. */
    long checksum(long length) {
        return checksums.computeIfAbsent(length, this::compute);
    }

    private long compute(long length) {
        CRC32C crc = new CRC32C();
        long left = length;
        while (left > 0) {
            ByteBuffer view = block();
            view.limit((int) Math.min(BLOCK_SIZE, left));
            left -= view.remaining();
            crc.update(view);
        }
        return crc.getValue();
    }
}
