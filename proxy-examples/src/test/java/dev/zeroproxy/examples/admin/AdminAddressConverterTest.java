package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

/** {@code --admin}: a port alone is loopback; HOST:PORT as {@code --listen}; bad values name themselves. */
class AdminAddressConverterTest {

    @ParameterizedTest
    @CsvSource({
        "9000,           127.0.0.1, 9000",
        ":9000,          127.0.0.1, 9000",
        "0,              127.0.0.1, 0",
        "127.0.0.1:8404, 127.0.0.1, 8404",
        "0.0.0.0:8404,   0.0.0.0,   8404",
        "[::1]:8404,     0:0:0:0:0:0:0:1, 8404",
    })
    void readsAPortAloneAsLoopbackAndHostPortAsGiven(String text, String host, int port) {
        InetSocketAddress address = AdminAddressConverter.parse(text);
        assertEquals(host, address.getAddress().getHostAddress());
        assertEquals(port, address.getPort());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "70000          | '70000': port 70000 is out of range",
        ":abc           | ':abc': ",
        "127.0.0.1      | '127.0.0.1': no port",
        "127.0.0.1:x    | port 'x' is not a number",
    })
    void refusesWhatIsNotAnAddressNamingIt(String text, String problem) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> AdminAddressConverter.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
