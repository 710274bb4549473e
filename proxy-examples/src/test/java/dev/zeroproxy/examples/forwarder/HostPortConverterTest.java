package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

class HostPortConverterTest {
    private static final String EXPECTED = " (expected: HOST:PORT with a port 0..65535,"
            + " e.g. 127.0.0.1:8080 or [::1]:8080)";

    @Test
    void parsesIpv4AndPort() throws Exception {
        InetSocketAddress address = HostPortConverter.parse("127.0.0.1:8080");
        assertEquals(InetAddress.getByName("127.0.0.1"), address.getAddress());
        assertEquals(8080, address.getPort());
    }

    @Test
    void parsesBracketedIpv6() throws Exception {
        InetSocketAddress address = HostPortConverter.parse("[::1]:80");
        assertEquals(InetAddress.getByName("::1"), address.getAddress());
        assertEquals(80, address.getPort());
    }

    @Test
    void acceptsPortZeroAndThePortRangeEnds() {
        assertEquals(0, HostPortConverter.parse("127.0.0.1:0").getPort());
        assertEquals(65535, HostPortConverter.parse("127.0.0.1:65535").getPort());
    }

    @Test
    void resolvesHostNamesOnce() {
        InetSocketAddress address = HostPortConverter.parse("localhost:9000");
        assertFalse(address.isUnresolved());
        assertEquals(9000, address.getPort());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:notaport | port 'notaport' is not a number",
        "127.0.0.1:+80      | port '+80' is not a number",
        "127.0.0.1:-1       | port '-1' is not a number",
        "127.0.0.1:65536    | port 65536 is out of range",
        "127.0.0.1:99999999999 | port 99999999999 is out of range",
        "127.0.0.1          | no port",
        "127.0.0.1:         | no port",
        ":8080              | no host (use 0.0.0.0 or [::] for every interface)",
        "::1:80             | an IPv6 address needs brackets, as in [::1]:8080",
        "[::1]80            | no ':PORT' after ']'",
        "[::1               | no ']' after the IPv6 address",
        "[127.0.0.1]:80     | brackets are only for IPv6 addresses",
        "[]:80              | brackets are only for IPv6 addresses",
        "host]:80           | misplaced brackets",
    })
    void refusesMalformedAddressesNamingTheTextAndTheProblem(String text, String problem) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> HostPortConverter.parse(text));
        assertEquals("'" + text + "': " + problem + EXPECTED, e.getMessage());
    }

    @Test
    void formatPutsIpv6InBracketsAndReadsBack() {
        InetSocketAddress v6 = HostPortConverter.parse("[::1]:8080");
        assertEquals("[::1]:8080", HostPortConverter.format(v6), "short form, as the user writes it");
        assertEquals(v6, HostPortConverter.parse(HostPortConverter.format(v6)));
        assertEquals("127.0.0.1:80", HostPortConverter.format(HostPortConverter.parse("127.0.0.1:80")));
    }
}
