package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The connect address equals the upstream's, and its host string is one String, not one per call. */
class NamedAddressesTest {
    private final NamedAddresses addresses = new NamedAddresses();

    @Test
    void aLiteralIpv4AddressGetsItsLiteralAsNameOnce() {
        InetSocketAddress given = new InetSocketAddress("127.0.0.1", 5432);
        InetSocketAddress named = addresses.of(given);
        assertEquals(given, named);
        assertSame(named, addresses.of(given));
        assertSame(named.getHostString(), named.getHostString());
        assertEquals("127.0.0.1", named.getHostString());
    }

    @Test
    void unresolvedAndIpv6AddressesAreUsedAsGiven() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("db.invalid", 5432);
        assertSame(unresolved, addresses.of(unresolved));
        InetSocketAddress v6 = new InetSocketAddress("::1", 5432);
        assertSame(v6, addresses.of(v6));
    }
}
