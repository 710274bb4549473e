package dev.zeroproxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The 64-bit hashes {@link SourceHash} places on its ring: a server's points from its name, a
 * client's position from its IP address. Written here rather than taken from a library so that a
 * ring's layout, which decides where every client goes, never changes with a dependency update.
 *
 * <p>Murmur3's 64-bit finalizer does the mixing: every input bit flips each output bit with
 * probability close to one half, which is what spreads the points evenly.
 */
final class RingHash {
    /** SplitMix64's increment: successive points of a server are {@code mix(seed + k * GOLDEN)}. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RingHash() {
    }

    /** A server's seed: FNV-1a over the name's characters, then mixed. */
    static long ofName(String name) {
        return mix(fnv(FNV_OFFSET, name));
    }

    /** The hash of a server's point {@code k}: a SplitMix64 stream seeded by its name. */
    static long point(long seed, int k) {
        return mix(seed + (k + 1) * GOLDEN);
    }

    /** The client's position: its IP address only, so all its connections land together. */
    static long ofClient(InetSocketAddress client) {
        InetAddress address = client.getAddress();
        if (address == null) {
            // Never the case for a socket's peer, but a caller may pass an unresolved address.
            return mix(fnv(FNV_OFFSET, client.getHostString()));
        }
        // getAddress() copies 4 or 16 bytes; small enough for escape analysis to keep off the heap.
        byte[] bytes = address.getAddress();
        // Seeded with the length so that an IPv4 address and an IPv6 one of the same leading
        // bytes differ.
        long hash = bytes.length;
        long word = 0;
        for (int i = 0; i < bytes.length; i++) {
            word = word << 8 | (bytes[i] & 0xFF);
            if ((i & 7) == 7 || i == bytes.length - 1) {
                hash = mix(hash ^ word) + GOLDEN;
                word = 0;
            }
        }
        return mix(hash);
    }

    private static long fnv(long hash, String text) {
        for (int i = 0; i < text.length(); i++) {
            hash = (hash ^ text.charAt(i)) * FNV_PRIME;
        }
        return hash;
    }

    /** Murmur3's fmix64. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
