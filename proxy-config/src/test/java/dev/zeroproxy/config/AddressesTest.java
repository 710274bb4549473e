package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void ipv4LiteralsAreFourDecimalPartsWithoutLeadingZeros() {
        assertEquals(Configs.address("10.1.2.3"), Addresses.literal("10.1.2.3"));
        assertEquals(Configs.address("0.0.0.0"), Addresses.literal("0.0.0.0"));
        for (String text : new String[] {"10.1.2", "10", "010.1.2.3", "10.1.2.256", "10.1.2.3.4", "1..2.3", "a.b.c.d",
            " 10.1.2.3", "10.1.2.3 "}) {
            assertNull(Addresses.literal(text), text);
        }
    }

    @Test
    void ipv6LiteralsAreReadWithoutZonesAndNeverLookedUp() {
        assertEquals(Configs.address("::1"), Addresses.literal("::1"));
        assertEquals(Configs.address("2001:db8::7"), Addresses.literal("2001:db8::7"));
        for (String text : new String[] {":::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "g::1", "::1]", "[::1]"}) {
            assertNull(Addresses.literal(text), text);
        }
    }

    @Test
    void aCidrIsAnAddressAndAnOptionalPrefixInRangeKeptAsWritten() {
        for (String text : new String[] {"10.0.0.0/8", "10.0.0.1", "0.0.0.0/0", "1.2.3.4/32", "::/0", "2001:db8::/128",
            "::1"}) {
            assertEquals(text, Addresses.cidr(text).value(), text);
        }
        for (String text : new String[] {"10.0.0.0/33", "10/8", "10.0.0.0/255.0.0.0", "10.0.0.0/", "10.0.0.0/-1",
            "::/129", "host/8", "/8", ""}) {
            assertFalse(Addresses.cidr(text).ok(), text);
        }
    }

    @Test
    void hostNamesAreResolvedOnlyWhenTheyAreNames() {
        List<String> asked = new ArrayList<>();
        Addresses addresses = new Addresses(host -> {
            asked.add(host);
            return List.of(Configs.address("127.0.0.9"));
        });

        assertTrue(addresses.server("10.0.0.1:80").ok());
        assertTrue(addresses.server("[::1]:80").ok());
        assertFalse(addresses.server("10.0.0.256:80").ok());
        assertFalse(addresses.server("1.2.3:80").ok());
        assertFalse(addresses.server("bad name:80").ok());
        assertEquals(Configs.address("127.0.0.9"), addresses.server("db.internal:80").value().getAddress());
        assertEquals(List.of("db.internal"), asked);
    }

    @Test
    void theFamilyPrefixChoosesAmongAResolvedNamesAddresses() {
        Addresses addresses = new Addresses(Configs.RESOLVER);

        InetAddress four = addresses.listen("ipv4@twin:1").value().getAddress();
        InetAddress six = addresses.listen("ipv6@twin:1").value().getAddress();

        assertEquals(Configs.address("127.0.0.3"), four);
        assertEquals(Configs.address("::1"), six);
        assertFalse(addresses.listen("ipv6@localhost:1").ok());
    }

    @Test
    void theProblemPointsAtThePartOfTheAddressThatIsWrong() {
        Addresses addresses = new Addresses(Configs.RESOLVER);

        assertEquals(10, addresses.server("127.0.0.1:0").offset());
        assertEquals(5, addresses.server("ipv4@nosuch:80").offset());
        assertEquals(6, addresses.listen("[::1]:+1").offset());
    }
}
