package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.edge.AccessRules;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Address blocks as {@link AccessTranslation} intersects them. */
class CidrBlockTest {
    private static final List<String> BLOCKS = List.of("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
            "10.1.2.3", "10.128.0.0/9", "192.168.0.0/16", "::/0", "fd00::/8", "fd00:1::/32", "::1", "2001:db8::/32");

    @Test
    void aBareAddressIsOneHostOfItsFamily() {
        assertEquals(new CidrBlock(new byte[] {10, 1, 2, 3}, 32), CidrBlock.parse("10.1.2.3"));
        CidrBlock loopback6 = CidrBlock.parse("::1");
        assertEquals(128, loopback6.prefix());
        assertEquals("0:0:0:0:0:0:0:1/128", loopback6.text());
    }

    @Test
    void theTextIsWhatAccessRulesReadsBackToTheSameBlock() {
        for (String block : BLOCKS) {
            CidrBlock parsed = CidrBlock.parse(block);

            assertEquals(parsed, CidrBlock.parse(parsed.text()), block);
            assertEquals(AccessRules.builder().allow(block).build().allows(address("10.1.2.3")),
                    AccessRules.builder().allow(parsed.text()).build().allows(address("10.1.2.3")), block);
        }
    }

    @Test
    void anIpv4MappedAddressIsItsIpv4Host() {
        // AccessRules reads ::ffff:a.b.c.d as a.b.c.d, and so must the block it is intersected as.
        assertEquals(CidrBlock.parse("10.1.2.3"), CidrBlock.parse("::ffff:10.1.2.3"));
    }

    @Test
    void anIpv4MappedBlockIsItsIpv4Block() {
        // AccessRules reads ::ffff:10.0.0.0/104 as 10.0.0.0/8.
        assertEquals(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("::ffff:10.0.0.0/104"));
    }

    @Test
    void whatAccessRulesRefusesIsRefusedHereToo() {
        for (String wrong : List.of("10.0.0.1/8", "10.0.0.0/33", "fd00::1/8", "localhost", "010.0.0.1")) {
            assertThrows(InvalidSettingException.class, () -> CidrBlock.parse(wrong), wrong);
        }
    }

    @Test
    void equalityIsByValueNotByArray() {
        CidrBlock a = CidrBlock.parse("10.1.0.0/16");
        CidrBlock b = new CidrBlock(new byte[] {10, 1, 0, 0}, 16);

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, CidrBlock.parse("10.1.0.0/17"));
        assertNotEquals(CidrBlock.parse("0.0.0.0/0"), CidrBlock.parse("::/0"));
    }

    @Test
    void containsIsNestingWithinOneFamily() {
        CidrBlock ten = CidrBlock.parse("10.0.0.0/8");

        assertTrue(ten.contains(CidrBlock.parse("10.1.2.0/24")));
        assertTrue(ten.contains(ten));
        assertFalse(CidrBlock.parse("10.1.2.0/24").contains(ten));
        assertFalse(ten.contains(CidrBlock.parse("11.0.0.0/8")));
        assertFalse(CidrBlock.ALL.get(0).contains(CidrBlock.parse("fd00::/8")), "IPv4's all holds no IPv6 block");
        assertTrue(CidrBlock.ALL.get(1).contains(CidrBlock.parse("fd00::/8")));
    }

    @Test
    void theIntersectionHoldsExactlyTheAddressesInBoth() {
        SplittableRandom random = new SplittableRandom(7);
        for (String left : BLOCKS) {
            for (String right : BLOCKS) {
                CidrBlock a = CidrBlock.parse(left);
                CidrBlock b = CidrBlock.parse(right);
                Optional<CidrBlock> both = a.intersect(b);

                assertEquals(both, b.intersect(a), left + " and " + right);
                for (int i = 0; i < 200; i++) {
                    InetAddress client = randomAddressNear(random, i % 2 == 0 ? a : b);
                    boolean inBoth = allows(a, client) && allows(b, client);
                    assertEquals(inBoth, both.isPresent() && allows(both.get(), client),
                            () -> client + " in " + left + " and " + right + ": " + both);
                }
            }
        }
    }

    /** An address inside {@code block} (a random number of its prefix bits flipped now and then). */
    private static InetAddress randomAddressNear(SplittableRandom random, CidrBlock block) {
        byte[] bytes = block.network().clone();
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            boolean hostBit = bit >= block.prefix();
            if (hostBit ? random.nextBoolean() : random.nextInt(64) == 0) {
                bytes[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean allows(CidrBlock block, InetAddress client) {
        return AccessRules.builder().allow(block.text()).deny("all").build().allows(client);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal, e);
        }
    }
}
