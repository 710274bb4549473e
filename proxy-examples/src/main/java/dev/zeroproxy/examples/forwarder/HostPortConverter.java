package dev.zeroproxy.examples.forwarder;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a command-line socket address, {@code HOST:PORT}: {@code 127.0.0.1:8080},
 * {@code localhost:0}, {@code [::1]:8080}.
 *
 * <p>An IPv6 literal must be in brackets: in {@code ::1:80} nothing says where the address
 * ends and the port begins. The host is resolved here, once, so that a name that does not
 * resolve is a usage error before anything is bound, and so that the proxy never resolves it
 * again per connection. Ports 0..65535 are accepted; whether 0 makes sense (it does for a
 * listening address) is the caller's call.
 *
 * <p>Stateless and thread-safe.
 */
public final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
    private static final String EXPECTED = "expected: HOST:PORT with a port 0..65535,"
            + " e.g. 127.0.0.1:8080 or [::1]:8080";

    /** For picocli, which instantiates converters itself. */
    public HostPortConverter() { }

    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    /**
     * Parses and resolves {@code text} as described on the class.
     *
     * @throws TypeConversionException naming the text, the part that is wrong and the expected form
     */
    public static InetSocketAddress parse(String text) {
        return parse(text, EXPECTED);
    }

    /**
     * {@link #parse(String)}, with the forms a caller that takes more than HOST:PORT names in its
     * errors ({@code expected}: "expected: ...").
     */
    public static InetSocketAddress parse(String text, String expected) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw bad(text, expected, "no ']' after the IPv6 address");
            }
            if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw bad(text, expected, "no ':PORT' after ']'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw bad(text, expected, "brackets are only for IPv6 addresses");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, expected, "no port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, expected, "an IPv6 address needs brackets, as in [::1]:8080");
            }
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                throw bad(text, expected, "misplaced brackets");
            }
        }
        if (host.isEmpty()) {
            throw bad(text, expected, "no host (use 0.0.0.0 or [::] for every interface)");
        }
        if (port.isEmpty()) {
            throw bad(text, expected, "no port");
        }
        InetSocketAddress address = new InetSocketAddress(host, parsePort(text, port, expected));
        if (address.isUnresolved()) {
            throw bad(text, expected, "cannot resolve host '" + host + "'");
        }
        return address;
    }

    /**
     * Formats {@code address} as {@link #parse} reads it: numeric host, IPv6 in brackets and in
     * its short form (RFC 5952: {@code [::1]}, not the JDK's {@code [0:0:0:0:0:0:0:1]}).
     */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? NetUtil.toAddressString(address.getAddress())
                : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static int parsePort(String text, String port, String expected) {
        // Only plain digits: Integer.parseInt would also take "+80", and a sign is surely a typo.
        if (port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, expected, "port '" + port + "' is not a number");
        }
        int value = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (value > 65535) {
            throw bad(text, expected, "port " + port + " is out of range");
        }
        return value;
    }

    private static TypeConversionException bad(String text, String expected, String problem) {
        return new TypeConversionException("'" + text + "': " + problem + " (" + expected + ")");
    }
}
