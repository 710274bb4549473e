package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An ordered list of {@code allow} and {@code deny} rules on the client's address, checked at
 * accept before any upstream work; the first rule that matches decides, as nginx's
 * {@code allow}/{@code deny} do.
 *
 * <pre>{@code
 * AccessRules rules = AccessRules.builder()
 *         .allow("10.0.0.0/8")
 *         .allow("fd00::/8")
 *         .deny("all")
 *         .build();
 * rules.allows(InetAddress.getByName("10.1.2.3"));   // true, rule 1
 * rules.allows(InetAddress.getByName("192.0.2.1"));  // false, rule 3
 * }</pre>
 *
 * <p><b>No match means allowed</b>, as in nginx: with no rules at all ({@link #NONE}, the
 * default) every client is allowed. To allow only the listed networks, end with
 * {@code deny("all")} (or {@code deny("0.0.0.0/0")} and {@code deny("::/0")}).
 *
 * <p><b>What a rule is.</b> A CIDR such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare
 * address is one host ({@code /32} or {@code /128}); {@code all} matches every address of
 * both families. A CIDR must be the network's own address ({@code 10.0.0.1/8} is refused, as
 * a likely typo: write {@code 10.0.0.0/8} or {@code 10.0.0.1}). IPv4 octets are plain decimal
 * (a leading zero, which some parsers read as octal, is refused); IPv6 zone ids
 * ({@code %eth0}) are refused. No name is ever resolved.
 *
 * <p><b>Families.</b> An IPv4 client, or an IPv4-mapped IPv6 one ({@code ::ffff:10.1.2.3},
 * which a dual-stack listener sees for IPv4 clients), matches IPv4 rules and {@code all}; an
 * IPv6 rule inside {@code ::ffff:0:0/96} is read as the IPv4 rule it maps
 * ({@code ::ffff:10.0.0.0/104} is {@code 10.0.0.0/8}); other IPv6 rules, {@code ::/0}
 * included, match only IPv6 clients.
 *
 * <p>Immutable and thread-safe. A check allocates nothing of its own (the only allocation is
 * the JDK's 4- or 16-byte copy in {@link InetAddress#getAddress()}, which the JIT's escape
 * analysis usually removes) and costs one comparison per rule up to the first match.
 */
public final class AccessRules {
    /** No rules: every client allowed. The default. */
    public static final AccessRules NONE = new AccessRules(List.of());

    /** A rule's verdict. */
    public enum Action {
        /** The client may connect. */
        ALLOW,
        /** The client is refused with {@link ConnectionRefusal.Reason#DENIED}. */
        DENY;

        String word() {
            return this == ALLOW ? "allow" : "deny";
        }
    }

    private static final String EXPECTED = "a CIDR such as 10.0.0.0/8 or fd00::/8, an address, or all";

    private final List<Rule> rules;
    private final Rule[] array;

    private AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.array = rules.toArray(new Rule[0]);
    }

    /** Starts an empty list of rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** The rules, in the order they are checked. */
    public List<Rule> rules() {
        return rules;
    }

    /** Whether there are no rules (every client allowed). */
    public boolean isEmpty() {
        return array.length == 0;
    }

    /**
     * The first rule that matches {@code address}, or empty when none does (then the client is
     * allowed).
     */
    public Optional<Rule> match(InetAddress address) {
        return Optional.ofNullable(firstMatch(address));
    }

    /** Whether {@code address} may connect: the first matching rule allows it, or none matches. */
    public boolean allows(InetAddress address) {
        Rule rule = firstMatch(address);
        return rule == null || rule.action == Action.ALLOW;
    }

    /** The first rule that matches, or null; the allocation-free form of {@link #match}. */
    Rule firstMatch(InetAddress address) {
        Objects.requireNonNull(address, "address");
        Rule[] rules = array;
        if (rules.length == 0) {
            return null;
        }
        byte[] bytes = address.getAddress();
        boolean v4;
        int v4Bits = 0;
        long hi = 0;
        long lo = 0;
        if (bytes.length == 4) {
            v4 = true;
            v4Bits = intAt(bytes, 0);
        } else {
            hi = longAt(bytes, 0);
            lo = longAt(bytes, 8);
            v4 = hi == 0 && (lo >>> 32) == 0xFFFFL;
            v4Bits = (int) lo;
        }
        for (Rule rule : rules) {
            if (rule.matches(v4, v4Bits, hi, lo)) {
                return rule;
            }
        }
        return null;
    }

    /** The rules in order, e.g. {@code "allow 10.0.0.0/8; deny all"}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Rule rule : rules) {
            if (s.length() > 0) {
                s.append("; ");
            }
            s.append(rule.action.word()).append(' ').append(rule.cidr);
        }
        return s.length() == 0 ? "(no rules: all allowed)" : s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRules other && rules.equals(other.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    /**
     * One rule: its verdict, the network it covers and its place in the list (from 1). Immutable.
     */
    public static final class Rule {
        private static final int ALL = 0;
        private static final int V4 = 1;
        private static final int V6 = 2;

        private final Action action;
        private final String cidr;
        private final int number;
        private final int family;
        private final int v4Network;
        private final int v4Mask;
        private final long hiNetwork;
        private final long loNetwork;
        private final long hiMask;
        private final long loMask;
        private final String description;

        private Rule(Action action, String cidr, int number, int family, int v4Network, int v4Mask, long hiNetwork,
                long loNetwork, long hiMask, long loMask) {
            this.action = action;
            this.cidr = cidr;
            this.number = number;
            this.family = family;
            this.v4Network = v4Network;
            this.v4Mask = v4Mask;
            this.hiNetwork = hiNetwork;
            this.loNetwork = loNetwork;
            this.hiMask = hiMask;
            this.loMask = loMask;
            this.description = action.word() + " " + cidr + " (rule " + number + ")";
        }

        boolean matches(boolean v4, int v4Bits, long hi, long lo) {
            if (family == ALL) {
                return true;
            }
            if (v4) {
                return family == V4 && (v4Bits & v4Mask) == v4Network;
            }
            return family == V6 && (hi & hiMask) == hiNetwork && (lo & loMask) == loNetwork;
        }

        /** Allow or deny. */
        public Action action() {
            return action;
        }

        /**
         * The network as written, normalised: {@code 10.0.0.0/8}, {@code fd00::/8},
         * {@code 10.1.2.3/32} for a bare address, {@code all}.
         */
        public String cidr() {
            return cidr;
        }

        /** Its place in the list, from 1. */
        public int number() {
            return number;
        }

        /** For a refusal's detail: {@code "deny 0.0.0.0/0 (rule 2)"}. */
        public String describe() {
            return description;
        }

        /** The same as {@link #describe()}. */
        @Override
        public String toString() {
            return description;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rule r && action == r.action && number == r.number && cidr.equals(r.cidr);
        }

        @Override
        public int hashCode() {
            return Objects.hash(action, cidr, number);
        }
    }

    /**
     * Collects rules in order; {@link #build()} parses and validates them. Not thread-safe.
     */
    public static final class Builder {
        private final List<Action> actions = new ArrayList<>();
        private final List<String> cidrs = new ArrayList<>();

        private Builder() {
        }

        /** Appends a rule that allows {@code cidr}: {@code 10.0.0.0/8}, {@code fd00::/8}, an address, or {@code all}. */
        public Builder allow(String cidr) {
            return add(Action.ALLOW, cidr);
        }

        /** Appends a rule that denies {@code cidr}: {@code 10.0.0.0/8}, {@code fd00::/8}, an address, or {@code all}. */
        public Builder deny(String cidr) {
            return add(Action.DENY, cidr);
        }

        private Builder add(Action action, String cidr) {
            actions.add(action);
            cidrs.add(Objects.requireNonNull(cidr, "cidr"));
            return this;
        }

        /**
         * The rules, in the order added.
         *
         * @throws InvalidSettingException naming the first bad rule's verb ({@code allow} or
         *     {@code deny}) and its text, e.g. {@code "allow: 10.0.0.0/33 (expected: a CIDR such as
         *     10.0.0.0/8 or fd00::/8, an address, or all)"}
         */
        public AccessRules build() {
            List<Rule> rules = new ArrayList<>(cidrs.size());
            for (int i = 0; i < cidrs.size(); i++) {
                rules.add(parse(actions.get(i), cidrs.get(i), i + 1));
            }
            return rules.isEmpty() ? NONE : new AccessRules(rules);
        }
    }

    static Rule parse(Action action, String text, int number) {
        String setting = action.word();
        if (text.equals("all")) {
            return new Rule(action, "all", number, Rule.ALL, 0, 0, 0, 0, 0, 0);
        }
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = parseAddress(host);
        if (bytes == null) {
            throw new InvalidSettingException(setting, text, EXPECTED);
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (length.length() > 1 && length.charAt(0) == '0')) {
                throw new InvalidSettingException(setting, text, EXPECTED);
            }
            prefix = Integer.parseInt(length);
            if (prefix > bits) {
                throw new InvalidSettingException(setting, text,
                        "a CIDR such as 10.0.0.0/8 or fd00::/8, with a prefix length of 0.." + bits);
            }
        }
        if (bytes.length == 4) {
            return v4Rule(action, text, number, intAt(bytes, 0), prefix);
        }
        long hi = longAt(bytes, 0);
        long lo = longAt(bytes, 8);
        long hiMask = mask(prefix);
        long loMask = mask(prefix - 64);
        if ((hi & ~hiMask) != 0 || (lo & ~loMask) != 0) {
            throw hostBitsSet(setting, text, networkText(bytes, prefix) + "/" + prefix);
        }
        if (prefix >= 96 && hi == 0 && (lo >>> 32) == 0xFFFFL) {
            // Inside ::ffff:0:0/96: the IPv4 clients a dual-stack socket reports in mapped form.
            return v4Rule(action, text, number, (int) lo, prefix - 96);
        }
        return new Rule(action, v6Text(bytes) + "/" + prefix, number, Rule.V6, 0, 0, hi, lo,
                hiMask, loMask);
    }

    private static Rule v4Rule(Action action, String text, int number, int network, int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        if ((network & ~mask) != 0) {
            throw hostBitsSet(action.word(), text, NetUtil.intToIpAddress(network & mask) + "/" + prefix);
        }
        return new Rule(action, NetUtil.intToIpAddress(network) + "/" + prefix, number, Rule.V4, network, mask, 0,
                0, 0, 0);
    }

    private static InvalidSettingException hostBitsSet(String setting, String text, String network) {
        return new InvalidSettingException(setting, text, "the network's own address, such as " + network
                + " (or a bare address for one host)");
    }

    private static String networkText(byte[] bytes, int prefix) {
        byte[] network = bytes.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            network[i] &= (byte) (0xFF00 >>> keep);
        }
        return v6Text(network);
    }

    /** RFC 5952 text for 16 address bytes ({@code fd00::}). */
    private static String v6Text(byte[] bytes) {
        try {
            return NetUtil.toAddressString(Inet6Address.getByAddress(null, bytes, -1), true);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** A literal IPv4 or IPv6 address's bytes, or null; never resolves a name. */
    private static byte[] parseAddress(String host) {
        if (host.isEmpty() || host.indexOf('%') >= 0) {
            return null;
        }
        if (host.indexOf(':') < 0 && !strictDottedQuad(host)) {
            return null;
        }
        return NetUtil.createByteArrayFromIpAddressString(host);
    }

    /** Four decimal octets without leading zeros (which some parsers read as octal). */
    private static boolean strictDottedQuad(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** The top {@code prefix} bits of a 64-bit word set (0 for prefix <= 0, all for >= 64). */
    private static long mask(int prefix) {
        return prefix <= 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static long longAt(byte[] b, int i) {
        return (long) intAt(b, i) << 32 | (intAt(b, i + 4) & 0xFFFFFFFFL);
    }
}
