package dev.zeroproxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessRulesTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4-mapped address kept as an Inet6Address, as a dual-stack socket can report it. */
    private static InetAddress mapped(int a, int b, int c, int d) throws UnknownHostException {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xFF;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void firstMatchingRuleWinsInOrder() {
        AccessRules rules = AccessRules.builder()
                .deny("10.1.0.0/16")
                .allow("10.0.0.0/8")
                .deny("10.2.0.0/16") // shadowed by rule 2, as in nginx
                .deny("all")
                .build();
        assertFalse(rules.allows(ip("10.1.2.3")));
        assertEquals("deny 10.1.0.0/16 (rule 1)", rules.match(ip("10.1.2.3")).orElseThrow().describe());
        assertTrue(rules.allows(ip("10.2.0.1")));
        assertEquals(2, rules.match(ip("10.2.0.1")).orElseThrow().number());
        assertFalse(rules.allows(ip("192.0.2.1")));
        assertEquals("deny all (rule 4)", rules.match(ip("192.0.2.1")).orElseThrow().describe());
        assertFalse(rules.allows(ip("2001:db8::1")));
    }

    @Test
    void noMatchingRuleAllows() {
        AccessRules rules = AccessRules.builder().deny("192.0.2.0/24").build();
        assertEquals(Optional.empty(), rules.match(ip("198.51.100.1")));
        assertTrue(rules.allows(ip("198.51.100.1")));
        assertTrue(AccessRules.NONE.allows(ip("192.0.2.1")));
        assertTrue(AccessRules.builder().build().isEmpty());
    }

    @Test
    void denyZeroSlashZeroDeniesOnlyItsFamily() {
        AccessRules rules = AccessRules.builder().allow("10.0.0.0/8").deny("0.0.0.0/0").build();
        assertEquals("deny 0.0.0.0/0 (rule 2)", rules.match(ip("192.0.2.1")).orElseThrow().describe());
        assertTrue(rules.allows(ip("2001:db8::1")), "an IPv4 rule never matches an IPv6 client");
        AccessRules both = AccessRules.builder().allow("10.0.0.0/8").deny("0.0.0.0/0").deny("::/0").build();
        assertEquals("deny ::/0 (rule 3)", both.match(ip("2001:db8::1")).orElseThrow().describe());
    }

    @Test
    void ipv6RulesMatchByPrefix() {
        AccessRules rules = AccessRules.builder()
                .allow("fd00::/8")
                .allow("2001:db8:0:1::/64")
                .allow("2001:db8::7")
                .deny("::/0")
                .build();
        assertTrue(rules.allows(ip("fdab:1234::1")));
        assertTrue(rules.allows(ip("2001:db8:0:1:ffff:ffff:ffff:ffff")));
        assertFalse(rules.allows(ip("2001:db8:0:2::1")));
        assertTrue(rules.allows(ip("2001:db8::7")));
        assertFalse(rules.allows(ip("2001:db8::8")));
        assertEquals("allow 2001:db8::7/128 (rule 3)", rules.match(ip("2001:db8::7")).orElseThrow().describe());
        assertEquals("allow 2001:db8:0:1::/64", rules.rules().get(1).action().name().toLowerCase() + " "
                + rules.rules().get(1).cidr());
        assertTrue(rules.allows(ip("10.0.0.1")), "an IPv6 rule never matches an IPv4 client");
    }

    @Test
    void ipv4MappedClientsMatchIpv4Rules() throws Exception {
        AccessRules rules = AccessRules.builder().allow("10.0.0.0/8").deny("all").build();
        InetAddress client = mapped(10, 9, 8, 7);
        assertTrue(client instanceof Inet6Address);
        assertTrue(rules.allows(client));
        assertFalse(rules.allows(mapped(192, 0, 2, 1)));
        assertTrue(rules.allows(ip("::ffff:10.1.1.1")));
    }

    @Test
    void ipv4MappedRulesAreReadAsIpv4Rules() throws Exception {
        AccessRules rules = AccessRules.builder().deny("::ffff:10.0.0.0/104").build();
        assertEquals("10.0.0.0/8", rules.rules().get(0).cidr());
        assertFalse(rules.allows(ip("10.3.3.3")));
        assertFalse(rules.allows(mapped(10, 3, 3, 3)));
        assertTrue(rules.allows(ip("11.0.0.1")));
    }

    @Test
    void bareAddressIsOneHost() {
        AccessRules rules = AccessRules.builder().deny("192.0.2.7").deny("2001:db8::1").build();
        assertEquals(List.of("192.0.2.7/32", "2001:db8::1/128"),
                rules.rules().stream().map(AccessRules.Rule::cidr).toList());
        assertFalse(rules.allows(ip("192.0.2.7")));
        assertTrue(rules.allows(ip("192.0.2.6")));
        assertFalse(rules.allows(ip("2001:db8::1")));
        assertTrue(rules.allows(ip("2001:db8::2")));
    }

    @Test
    void edgePrefixLengthsMatchExactly() {
        AccessRules rules = AccessRules.builder().deny("192.0.2.128/25").deny("2001:db8::/65").build();
        assertTrue(rules.allows(ip("192.0.2.127")));
        assertFalse(rules.allows(ip("192.0.2.128")));
        assertFalse(rules.allows(ip("192.0.2.255")));
        assertFalse(rules.allows(ip("2001:db8::7fff:ffff:ffff:ffff")));
        assertTrue(rules.allows(ip("2001:db8::8000:0:0:0")));
        assertFalse(AccessRules.builder().deny("255.255.255.255/32").build().allows(ip("255.255.255.255")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0/8",
        "10.0.0.256", "010.0.0.0/8", "example.com", "localhost", "", " 10.0.0.0/8", "10.0.0.0/8 ", "fe80::1%eth0",
        "1:2:3:4:5:6:7:8:9", "10.0.0.0/8/8", "ALL", "10.0.0.0/x"})
    void badRuleIsNamedInTheError(String cidr) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> AccessRules.builder().allow("10.0.0.0/8").allow(cidr).build());
        assertEquals("allow", e.setting());
        assertEquals(cidr, e.value());
        assertTrue(e.getMessage().startsWith("allow: " + cidr + " (expected: "), e.getMessage());
    }

    @Test
    void prefixTooLongSaysTheRange() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> AccessRules.builder().deny("10.0.0.0/33").build());
        assertEquals("deny: 10.0.0.0/33 (expected: a CIDR such as 10.0.0.0/8 or fd00::/8, with a prefix length"
                + " of 0..32)", e.getMessage());
        assertTrue(assertThrows(InvalidSettingException.class, () -> AccessRules.builder().deny("fd00::/129").build())
                .expected().endsWith("0..128"));
    }

    @Test
    void hostBitsPastThePrefixAreRefusedWithTheNetworkToWrite() {
        InvalidSettingException v4 = assertThrows(InvalidSettingException.class,
                () -> AccessRules.builder().allow("10.1.2.3/8").build());
        assertEquals("allow", v4.setting());
        assertTrue(v4.expected().contains("10.0.0.0/8"), v4.getMessage());
        InvalidSettingException v6 = assertThrows(InvalidSettingException.class,
                () -> AccessRules.builder().deny("fd12::1/8").build());
        assertTrue(v6.expected().contains("fd00::/8"), v6.getMessage());
    }

    @Test
    void nullRuleIsRefusedAtOnceNamingTheParameter() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> AccessRules.builder().deny(null));
        assertEquals("cidr", e.getMessage());
    }

    @Test
    void equalRulesAreEqualAndPrintInOrder() {
        AccessRules a = AccessRules.builder().allow("10.0.0.0/8").deny("all").build();
        AccessRules b = AccessRules.builder().allow("10.0.0.0/8").deny("all").build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("allow 10.0.0.0/8; deny all", a.toString());
    }
}
