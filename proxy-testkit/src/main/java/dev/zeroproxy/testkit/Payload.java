package dev.zeroproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Random test payloads that need no memory: a seeded byte stream written in random chunk
 * sizes, and readers that hash what arrives (SHA-256) so two ends can compare every byte.
 */
public final class Payload {
    private Payload() { }

    /** Writes {@code length} pseudo-random bytes of {@code seed} in chunks of 1..maxChunk bytes; returns their SHA-256. */
    public static String write(OutputStream out, long seed, long length, int maxChunk) throws IOException {
        ByteSource bytes = new ByteSource(seed);
        SplittableRandom chunks = new SplittableRandom(~seed);
        MessageDigest digest = sha256();
        byte[] buf = new byte[maxChunk];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(left, maxChunk == 1 ? 1 : 1 + chunks.nextInt(maxChunk));
            bytes.fill(buf, n);
            out.write(buf, 0, n);
            digest.update(buf, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads until EOF in reads of 1..maxChunk bytes; returns the byte count and SHA-256 of what arrived. */
    public static Received readToEof(InputStream in, int maxChunk) throws IOException {
        SplittableRandom chunks = new SplittableRandom(maxChunk);
        MessageDigest digest = sha256();
        byte[] buf = new byte[maxChunk];
        long total = 0;
        while (true) {
            int want = maxChunk == 1 ? 1 : 1 + chunks.nextInt(maxChunk);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                return new Received(total, HexFormat.of().formatHex(digest.digest()));
            }
            digest.update(buf, 0, n);
            total += n;
        }
    }

    /** Reads exactly {@code length} bytes (fails at an early EOF); returns their SHA-256. */
    public static String readExactly(InputStream in, long length) throws IOException {
        MessageDigest digest = sha256();
        byte[] buf = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("EOF after " + (length - left) + " of " + length + " bytes");
            }
            digest.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 that {@link #write} returns for this seed and length, without writing anything. */
    public static String sha256Of(long seed, long length) {
        ByteSource bytes = new ByteSource(seed);
        MessageDigest digest = sha256();
        byte[] buf = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(left, buf.length);
            bytes.fill(buf, n);
            digest.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The first {@code length} bytes of the stream {@link #write} sends for {@code seed}, in memory. */
    public static byte[] bytes(long seed, int length) {
        byte[] all = new byte[length];
        new ByteSource(seed).fill(all, length);
        return all;
    }

    /** What a reader got: how many bytes, and their SHA-256. */
    public record Received(long length, String sha256) { }

    /**
     * A seeded byte stream whose bytes do not depend on how it is cut into chunks: what a writer
     * sends and its reader expects back, however either cuts it. Not thread-safe.
     */
    public static final class ByteSource {
        private final SplittableRandom random;
        private long word;
        private int bytesLeftInWord;

        /** The stream of {@code seed}. */
        public ByteSource(long seed) {
            random = new SplittableRandom(seed);
        }

        /** Fills {@code buf[0..n)} with the stream's next {@code n} bytes. */
        public void fill(byte[] buf, int n) {
            for (int i = 0; i < n; i++) {
                if (bytesLeftInWord == 0) {
                    word = random.nextLong();
                    bytesLeftInWord = 8;
                }
                buf[i] = (byte) word;
                word >>>= 8;
                bytesLeftInWord--;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
