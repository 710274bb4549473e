package dev.zeroproxy.config;

import dev.zeroproxy.edge.AccessRules;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An address block of a rule's condition, as bits: what {@link AccessTranslation} needs to
 * intersect two blocks (the library's {@link AccessRules} only matches addresses). Two blocks
 * either nest or are disjoint, so their intersection is the smaller one or nothing.
 *
 * @param network the network's address bytes (4 or 16), host bits zero
 * @param prefix the prefix length
 */
record CidrBlock(byte[] network, int prefix) {
    /** Every IPv4 and every IPv6 address. */
    static final List<CidrBlock> ALL = List.of(new CidrBlock(new byte[4], 0), new CidrBlock(new byte[16], 0));

    /**
     * Parses {@code 10.0.0.0/8}, {@code fd00::/8} or a bare address.
     *
     * @throws dev.zeroproxy.InvalidSettingException if the library would not take it
     */
    static CidrBlock parse(String text) {
        // The library's parser decides what is valid (and never resolves a name): the same words
        // are accepted here and by ProxyBuilder.accessRules.
        AccessRules.builder().allow(text).build();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("AccessRules accepted " + text + " but the JDK cannot read it", e);
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        if (bytes.length == 4 && host.indexOf(':') >= 0 && slash >= 0) {
            // ::ffff:a.b.c.d/N, which the JDK reads as IPv4: the IPv4 block AccessRules reads it as.
            prefix -= 96;
        }
        return new CidrBlock(masked(bytes, prefix), prefix);
    }

    private static byte[] masked(byte[] bytes, int prefix) {
        byte[] network = bytes.clone();
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return network;
    }

    /** Whether every address of {@code other} is in this block. */
    boolean contains(CidrBlock other) {
        return network.length == other.network.length && prefix <= other.prefix
                && Arrays.equals(network, masked(other.network, prefix));
    }

    /** The addresses in both blocks, if any. */
    Optional<CidrBlock> intersect(CidrBlock other) {
        if (contains(other)) {
            return Optional.of(other);
        }
        return other.contains(this) ? Optional.of(this) : Optional.empty();
    }

    /** As {@link AccessRules} reads it. */
    String text() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes make an address", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrBlock other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        return text();
    }
}
