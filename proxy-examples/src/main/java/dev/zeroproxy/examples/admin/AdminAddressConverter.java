package dev.zeroproxy.examples.admin;

import dev.zeroproxy.examples.forwarder.HostPortConverter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --admin}: {@code PORT} or {@code :PORT} for 127.0.0.1 (loopback unless asked
 * otherwise), or {@code HOST:PORT} as {@link HostPortConverter} reads it. Stateless and
 * thread-safe.
 */
public final class AdminAddressConverter implements ITypeConverter<InetSocketAddress> {
    private static final String EXPECTED = "expected: PORT, :PORT or HOST:PORT with a port 0..65535,"
            + " e.g. 9000 or 127.0.0.1:9000";

    /** For picocli. */
    public AdminAddressConverter() { }

    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code text} as the class says.
     *
     * @throws TypeConversionException naming the text and the forms expected
     */
    public static InetSocketAddress parse(String text) {
        String port = text.startsWith(":") ? text.substring(1) : text;
        if (!port.isEmpty() && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int value = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
            if (value > 65535) {
                throw new TypeConversionException("'" + text + "': port " + port + " is out of range (" + EXPECTED + ")");
            }
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), value);
        }
        // The admin address also takes a bare port: its errors say so, rather than --listen's HOST:PORT only.
        return HostPortConverter.parse(text, EXPECTED);
    }
}
