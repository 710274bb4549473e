package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.edge.AccessRules;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * HAProxy's {@code tcp-request connection accept|reject [if|unless COND]} lines, first match
 * deciding and no match accepting, as the library's first-match {@link AccessRules}: each
 * translation is compared, address by address, with a plain evaluator of HAProxy's semantics
 * over seeded random addresses inside, at the edges of and outside every block.
 */
class AccessTranslationTest {
    /** Blocks that nest or are disjoint (as any two CIDR blocks do), both families. */
    private static final List<String> BLOCKS = List.of("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
            "10.1.2.3", "10.200.0.0/13", "127.0.0.0/8", "127.0.0.2", "172.16.0.0/12", "192.168.0.0/16",
            "192.168.1.0/24", "::/0", "fd00::/8", "fd00:1::/32", "fd00:1:2::/48", "::1", "2001:db8::/32",
            "2001:db8::1");
    private static final long SEED = 20240611L;

    @Test
    void noLineIsNoRule() {
        assertSame(AccessRules.NONE, AccessTranslation.translate(List.of()));
    }

    @Test
    void anUnconditionalAcceptIsNoRuleAtAll() {
        assertSame(AccessRules.NONE, AccessTranslation.translate(List.of(line(true, null))));
    }

    @Test
    void anUnconditionalRejectRefusesBothFamilies() {
        AccessRules rules = AccessTranslation.translate(List.of(line(false, null)));

        assertEquals("deny 0.0.0.0/0; deny ::/0", rules.toString());
        assertAgreesOnEveryAddress(List.of(line(false, null)), new SplittableRandom(SEED));
    }

    @Test
    void anAllowListIsOneNegatedLineOfAFewRules() {
        List<AccessLine> lines = List.of(line(false, condition(true, "10.0.0.0/8", "fd00::/8")));

        AccessRules rules = AccessTranslation.translate(lines);

        assertEquals("allow 10.0.0.0/8; allow fd00::/8; deny 0.0.0.0/0; deny ::/0", rules.toString());
        assertAgreesOnEveryAddress(lines, new SplittableRandom(SEED));
    }

    @Test
    void aPositiveRejectBeforeAnUnconditionalAcceptRefusesOnlyItsBlocks() {
        List<AccessLine> lines = List.of(line(false, condition(false, "10.1.0.0/16")), line(true, null));

        assertEquals("deny 10.1.0.0/16", AccessTranslation.translate(lines).toString());
        assertAgreesOnEveryAddress(lines, new SplittableRandom(SEED));
    }

    @Test
    void linesAfterANegatedLineStillDecideForTheAddressesItPassesOn() {
        // HAProxy: 10.1.0.0/16 is refused (line 2), the rest of 10/8 accepted, everyone else refused (line 1).
        List<AccessLine> lines = List.of(line(false, condition(true, "10.0.0.0/8")),
                line(false, condition(false, "10.1.0.0/16")), line(true, condition(false, "10.1.2.3")));

        assertAgreesOnEveryAddress(lines, new SplittableRandom(SEED));
        AccessRules rules = AccessTranslation.translate(lines);
        assertTrue(!rules.allows(address("10.1.2.3")) && rules.allows(address("10.2.0.1"))
                && !rules.allows(address("192.0.2.1")), rules::toString);
    }

    @Test
    void theParsersConditionFormsTranslateAsHaproxyReadsThem() {
        ProxyFile file = Configs.parse("""
                frontend web
                    bind :8080
                    acl office src 192.168.1.0/24 fd00:1::/32
                    tcp-request connection accept if office
                    tcp-request connection reject unless { src 10.0.0.0/8 ::1 }
                    tcp-request connection reject if { src 10.1.0.0/16 }
                    tcp-request connection reject if !{ src 10.1.2.0/24 10.200.0.0/13 }
                    tcp-request connection accept
                    default_backend app
                """ + Configs.BACKEND);
        List<AccessLine> lines = file.frontends().get(0).rules();

        assertEquals(5, lines.size());
        assertAgreesOnEveryAddress(lines, new SplittableRandom(SEED));
        AccessRules rules = AccessTranslation.translate(lines);
        assertTrue(rules.allows(address("192.168.1.7")) && !rules.allows(address("::1"))
                && rules.allows(address("10.200.3.4")) && !rules.allows(address("10.1.3.4"))
                && !rules.allows(address("10.7.0.1")) && !rules.allows(address("2001:db8::1")), rules::toString);
    }

    @Test
    void anIpv4MappedBlockIsTheIpv4BlockItMaps() {
        ProxyFile file = Configs.parse(Configs.inFrontend("tcp-request connection reject unless { src ::ffff:10.0.0.0/104 }"));

        AccessRules rules = AccessTranslation.translate(file.frontends().get(0).rules());

        assertTrue(rules.allows(address("10.9.8.7")) && !rules.allows(address("11.0.0.1")), rules::toString);
    }

    @Test
    void aBlockWithHostBitsIsRefusedAtItsWordWhenTheFileIsRead() {
        // HAProxy masks 10.0.0.1/8 to 10.0.0.0/8; ZeroProxy's access rules take it as a likely typo.
        for (String line : List.of("tcp-request connection reject if { src 10.0.0.1/8 }",
                "use_backend app if { src 10.0.0.1/8 }", "acl lan src 10.0.0.1/8")) {
            List<ConfigError> errors = Configs.errors(Configs.inFrontend(line));

            assertEquals(1, errors.size(), errors::toString);
            assertEquals(new SourcePosition(Configs.FILE, 4, 4 + line.indexOf("10.0.0.1/8") + 1), errors.get(0).where(),
                    errors::toString);
            assertTrue(errors.get(0).expected().contains("10.0.0.0/8"), errors.get(0)::toString);
        }
    }

    @Test
    void randomRuleListsAgreeWithHaproxysFirstMatchOnRandomAddresses() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int list = 0; list < 400; list++) {
            List<AccessLine> lines = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                SourceCondition condition = null;
                if (random.nextInt(5) != 0) {
                    List<String> cidrs = new ArrayList<>();
                    int blocks = 1 + random.nextInt(3);
                    for (int b = 0; b < blocks; b++) {
                        cidrs.add(BLOCKS.get(random.nextInt(BLOCKS.size())));
                    }
                    condition = condition(random.nextBoolean(), cidrs.toArray(String[]::new));
                }
                lines.add(line(random.nextBoolean(), condition));
            }
            assertAgreesOnEveryAddress(lines, random);
        }
    }

    /** Every block's network, last address and random inner addresses, and random addresses of both families. */
    private static void assertAgreesOnEveryAddress(List<AccessLine> lines, SplittableRandom random) {
        AccessRules rules = AccessTranslation.translate(lines);
        List<InetAddress> addresses = new ArrayList<>();
        for (String block : BLOCKS) {
            Block b = Block.of(block);
            addresses.add(b.first());
            addresses.add(b.last());
            for (int i = 0; i < 3; i++) {
                addresses.add(b.random(random));
            }
        }
        for (int i = 0; i < 20; i++) {
            addresses.add(Block.of("0.0.0.0/0").random(random));
            addresses.add(Block.of("::/0").random(random));
        }
        for (InetAddress client : addresses) {
            assertEquals(haproxyAccepts(lines, client), rules.allows(client),
                    () -> client.getHostAddress() + " with " + describe(lines) + " translated to " + rules);
        }
    }

    /** HAProxy's evaluation, plainly: the first line whose condition holds decides; none: accept. */
    private static boolean haproxyAccepts(List<AccessLine> lines, InetAddress client) {
        for (AccessLine line : lines) {
            SourceCondition condition = line.condition();
            boolean holds = condition == null
                    || condition.cidrs().stream().anyMatch(cidr -> Block.of(cidr).contains(client)) != condition.negated();
            if (holds) {
                return line.accept();
            }
        }
        return true;
    }

    private static String describe(List<AccessLine> lines) {
        StringBuilder text = new StringBuilder();
        for (AccessLine line : lines) {
            text.append("\n  tcp-request connection ").append(line.accept() ? "accept" : "reject");
            if (line.condition() != null) {
                text.append(line.condition().negated() ? " unless { src " : " if { src ")
                        .append(String.join(" ", line.condition().cidrs())).append(" }");
            }
        }
        return text.toString();
    }

    private static AccessLine line(boolean accept, SourceCondition condition) {
        return new AccessLine(accept, condition, new SourcePosition("test.cfg", 1, 5));
    }

    private static SourceCondition condition(boolean negated, String... cidrs) {
        return new SourceCondition(negated, List.of(cidrs), new SourcePosition("test.cfg", 1, 30));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal, e);
        }
    }

    /** A CIDR block as bytes and a prefix, written here independently of {@link CidrBlock}. */
    private record Block(byte[] network, int prefix) {
        static Block of(String cidr) {
            int slash = cidr.indexOf('/');
            byte[] bytes = address(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
            return new Block(bytes, slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1)));
        }

        boolean contains(InetAddress client) {
            byte[] bytes = client.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                if (bitAt(bytes, bit) != bitAt(network, bit)) {
                    return false;
                }
            }
            return true;
        }

        InetAddress first() {
            return withHostBits(bit -> false);
        }

        InetAddress last() {
            return withHostBits(bit -> true);
        }

        InetAddress random(SplittableRandom random) {
            return withHostBits(bit -> random.nextBoolean());
        }

        private InetAddress withHostBits(java.util.function.IntPredicate set) {
            byte[] bytes = network.clone();
            for (int bit = prefix; bit < bytes.length * 8; bit++) {
                if (set.test(bit)) {
                    bytes[bit / 8] |= (byte) (0x80 >>> (bit % 8));
                } else {
                    bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
                }
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        private static boolean bitAt(byte[] bytes, int bit) {
            return (bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0;
        }
    }
}
