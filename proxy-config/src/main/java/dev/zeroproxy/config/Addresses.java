package dev.zeroproxy.config;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.edge.AccessRules;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Readers of addresses as HAProxy writes them: {@code host:port}, {@code [IPv6]:port}, an
 * optional {@code ipv4@} or {@code ipv6@} before them, a bare IP address, a CIDR block.
 *
 * <p>IP literals are read strictly (four decimal parts without leading zeros for IPv4; no zone
 * for IPv6), so that what the file says is what the consumer of a CIDR, which keeps its text,
 * reads too. As in HAProxy, the port is after the last colon, so that {@code :::80} is port 80 of
 * every IPv6 address; brackets make it clearer. Host names are resolved with the
 * {@link HostResolver} given; literals never reach it.
 */
final class Addresses {
    static final String LISTEN = "host:port, :port or *:port (every IPv4 address), [IPv6]:port, "
            + "optionally after ipv4@ or ipv6@";
    static final String SERVER = "host:port or [IPv6]:port, optionally after ipv4@ or ipv6@";
    static final String IP = "an IPv4 or IPv6 address such as 10.0.0.1 or 2001:db8::1";
    static final String CIDR = "an IPv4 or IPv6 address, optionally with /prefix, such as 10.0.0.0/8, "
            + "192.168.1.10 or 2001:db8::/32";
    private static final String PORT = "a port from 1 to 65535";

    private final HostResolver resolver;

    Addresses(HostResolver resolver) {
        this.resolver = resolver;
    }

    /** An address to listen on: an empty host or {@code *} means every IPv4 address (every IPv6 one after ipv6@). */
    Parsed<InetSocketAddress> listen(String text) {
        return endpoint(text, true);
    }

    /** A server's address: host and port both required. */
    Parsed<InetSocketAddress> server(String text) {
        return endpoint(text, false);
    }

    private Parsed<InetSocketAddress> endpoint(String text, boolean listen) {
        String expected = listen ? LISTEN : SERVER;
        int at = 0;
        Class<? extends InetAddress> family = InetAddress.class;
        int atSign = text.indexOf('@');
        if (atSign >= 0) {
            String prefix = text.substring(0, atSign + 1);
            if (prefix.equals("ipv4@")) {
                family = Inet4Address.class;
            } else if (prefix.equals("ipv6@")) {
                family = Inet6Address.class;
            } else {
                return Parsed.wrong("'" + prefix + "' addresses are not supported", expected);
            }
            at = atSign + 1;
        }
        String rest = text.substring(at);
        if (rest.startsWith("/")) {
            return Parsed.wrong("UNIX socket paths are not supported", expected, at);
        }
        String host;
        String port;
        int portAt;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                return Parsed.wrong("'[' is not closed by ']'", expected, at);
            }
            host = rest.substring(1, close);
            if (!(literal(host) instanceof Inet6Address)) {
                return Parsed.wrong("'" + host + "' is not an IPv6 address", expected, at + 1);
            }
            if (close + 1 == rest.length() || rest.charAt(close + 1) != ':') {
                return Parsed.wrong("'" + text + "' has no port", expected + "; " + PORT, at + close + 1);
            }
            port = rest.substring(close + 2);
            portAt = at + close + 2;
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                return Parsed.wrong("'" + text + "' has no port", expected + "; " + PORT, text.length());
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
            portAt = at + colon + 1;
        }
        Parsed<Integer> portNumber = port(port);
        if (!portNumber.ok()) {
            return portNumber.failure(portAt);
        }
        int hostAt = rest.startsWith("[") ? at + 1 : at;
        InetAddress address;
        if (host.isEmpty() || host.equals("*")) {
            if (!listen) {
                return Parsed.wrong("'" + text + "' has no host", expected, hostAt);
            }
            address = family == Inet6Address.class ? any(new byte[16]) : any(new byte[4]);
        } else {
            Parsed<InetAddress> resolved = host(host, family);
            if (!resolved.ok()) {
                return resolved.failure(hostAt);
            }
            address = resolved.value();
        }
        return Parsed.of(new InetSocketAddress(address, portNumber.value()));
    }

    private Parsed<InetAddress> host(String host, Class<? extends InetAddress> family) {
        String familyName = family == Inet4Address.class ? "IPv4" : "IPv6";
        InetAddress literal = literal(host);
        if (literal != null) {
            if (!family.isInstance(literal)) {
                return Parsed.wrong("'" + host + "' is not an " + familyName + " address, as ipv"
                        + familyName.charAt(3) + "@ requires", IP);
            }
            return Parsed.of(literal);
        }
        if (!isHostName(host)) {
            return Parsed.wrong("'" + host + "' is neither an IP address nor a host name", IP + ", or a host name");
        }
        for (InetAddress address : resolver.resolve(host)) {
            if (family.isInstance(address)) {
                return Parsed.of(address);
            }
        }
        return Parsed.wrong("cannot resolve host name '" + host + "'"
                + (family == InetAddress.class ? "" : " to an " + familyName + " address"),
                "a host name the system resolves, or an IP address");
    }

    /**
     * Whether a listening address has no host at all ({@code :8404}, {@code ipv6@:8404}), as
     * opposed to {@code *:8404}, which names every address: the stats section reads the former as
     * the loopback address.
     */
    static boolean hostless(String text) {
        String rest = text.substring(text.indexOf('@') + 1);
        return rest.lastIndexOf(':') == 0;
    }

    /** A port: 1 to 65535, alone (HAProxy's ranges and offsets are refused by name). */
    static Parsed<Integer> port(String text) {
        if (text.isEmpty()) {
            return Parsed.wrong("no port after ':'", PORT);
        }
        if (text.startsWith("+") || text.startsWith("-")) {
            return Parsed.wrong("port offsets such as '" + text + "' are not supported", PORT);
        }
        int dash = text.indexOf('-');
        if (dash > 0 && allDigits(text.substring(0, dash)) && allDigits(text.substring(dash + 1))) {
            return Parsed.wrong("port ranges such as '" + text + "' are not supported", PORT + ", one per address");
        }
        if (!allDigits(text) || text.length() > 5 || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            return Parsed.wrong("'" + text + "' is not a port", PORT);
        }
        return Parsed.of(Integer.parseInt(text));
    }

    /** An IP address written as such; a port after it is refused by name. */
    static Parsed<InetAddress> ip(String text) {
        InetAddress literal = literal(text);
        if (literal != null) {
            return Parsed.of(literal);
        }
        int colon = text.lastIndexOf(':');
        boolean bracketed = text.startsWith("[") && colon > 0 && text.charAt(colon - 1) == ']';
        if (colon > 0 && (bracketed || literal(text.substring(0, colon)) instanceof Inet4Address)) {
            return Parsed.wrong("a fixed source port is not supported", IP + ", without a port", colon);
        }
        return Parsed.wrong("'" + text + "' is not an IP address", IP);
    }

    /** An address or a CIDR block, checked; its text is what the model keeps. */
    static Parsed<String> cidr(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        InetAddress literal = literal(address);
        if (literal == null) {
            return Parsed.wrong("'" + address + "' is not an IP address", CIDR);
        }
        if (slash >= 0) {
            String prefix = text.substring(slash + 1);
            // Written as IPv6 (::ffff:10.0.0.0/104 too, which the JDK reads as IPv4): 128 bits.
            int bits = address.indexOf(':') < 0 ? 32 : 128;
            if (!allDigits(prefix) || prefix.length() > 3 || Integer.parseInt(prefix) > bits) {
                return Parsed.wrong("'/" + prefix + "' is not a prefix length of an "
                        + (bits == 32 ? "IPv4" : "IPv6") + " address", CIDR + "; /0 to /" + bits, slash);
            }
        }
        try {
            // What the access rules and routes are built from must be what they take (host bits
            // past the prefix, 10.0.0.1/8, are refused there as a likely typo): refused here, at
            // the word, rather than at the section when the file is run.
            AccessRules.builder().allow(text).build();
        } catch (InvalidSettingException e) {
            return Parsed.wrong("'" + text + "' is not a block the access rules take", e.expected());
        }
        return Parsed.of(text);
    }

    /** An IPv4 or IPv6 literal, strictly; null for anything else, host names included (no lookup). */
    static InetAddress literal(String text) {
        if (text.indexOf(':') >= 0) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                    return null;
                }
            }
            try {
                // Brackets make the JDK read an IPv6 literal or fail: never a name lookup.
                return InetAddress.getByName("[" + text + "]");
            } catch (UnknownHostException e) {
                return null;
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (!allDigits(part) || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || Integer.parseInt(part) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        return any(bytes);
    }

    private static InetAddress any(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
        }
    }

    private static boolean isHostName(String host) {
        if (host.length() > 253 || host.startsWith(".") || host.startsWith("-")) {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
            if (!digit && !alpha && c != '.') {
                return false;
            }
            letter |= alpha;
        }
        // Digits and dots only is a mistyped IPv4 address, not a name to look up.
        return letter;
    }

    private static boolean allDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
