package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ServerSpec}'s withers, the overrides of the group's settings, and equality over all of them. */
class ServerSpecTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 9_001);
    private static final HealthCheck OWN_CHECK = HealthCheck.builder().interval(Duration.ofMillis(500)).fall(5).build();
    private static final HealthCheck GROUP_CHECK = HealthCheck.tcp();

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A spec with every setting away from its default. */
    private static ServerSpec full() {
        return ServerSpec.of("a", ADDRESS).weight(3).maxConnections(10).backup(true)
                .sendProxyProtocol(ProxyProtocolSend.v2()).source(loopback(2)).healthCheck(OWN_CHECK);
    }

    @Test
    void aNewSpecHasTheDefaults() {
        ServerSpec spec = ServerSpec.of("a", ADDRESS);
        assertEquals(1, spec.weight());
        assertEquals(0, spec.maxConnections());
        assertFalse(spec.isBackup());
        assertEquals(Optional.empty(), spec.proxyProtocol());
        assertEquals(Optional.empty(), spec.sourceAddress());
        assertEquals(Optional.empty(), spec.ownHealthCheck());
        assertFalse(spec.isUnchecked());
        assertSame(GROUP_CHECK, spec.effectiveCheck(GROUP_CHECK), "the group's checks");
        assertNull(spec.effectiveCheck(null), "none in a group without checks");
    }

    @Test
    void eachWitherChangesItsOwnSettingAndKeepsTheOthers() {
        ServerSpec spec = full();
        assertEquals(3, spec.weight());
        assertEquals(10, spec.maxConnections());
        assertTrue(spec.isBackup());
        assertEquals(Optional.of(ProxyProtocolSend.v2()), spec.proxyProtocol());
        assertEquals(Optional.of(loopback(2)), spec.sourceAddress());
        assertEquals(Optional.of(OWN_CHECK), spec.ownHealthCheck());

        ServerSpec moved = spec.source(loopback(3));
        assertEquals(Optional.of(loopback(3)), moved.sourceAddress());
        assertEquals(spec.weight(moved.weight()).source(loopback(3)), moved);
        assertEquals(Optional.of(OWN_CHECK), moved.ownHealthCheck(), "the check kept");
        assertEquals(3, moved.weight());
        assertEquals(Optional.of(ProxyProtocolSend.v2()), moved.proxyProtocol());

        ServerSpec reweighted = spec.weight(7).maxConnections(2).backup(false);
        assertEquals(Optional.of(loopback(2)), reweighted.sourceAddress(), "the source kept");
        assertEquals(Optional.of(OWN_CHECK), reweighted.ownHealthCheck(), "the check kept");
        assertEquals(Optional.of(ProxyProtocolSend.v2()), reweighted.proxyProtocol(), "the header kept");

        ServerSpec resent = spec.sendProxyProtocol(ProxyProtocolSend.v1());
        assertEquals(Optional.of(loopback(2)), resent.sourceAddress());
        assertEquals(Optional.of(OWN_CHECK), resent.ownHealthCheck());
        assertEquals(spec, full(), "the original unchanged");
    }

    @Test
    void anOwnCheckAndUncheckedReplaceEachOther() {
        ServerSpec unchecked = full().unchecked();
        assertTrue(unchecked.isUnchecked());
        assertEquals(Optional.empty(), unchecked.ownHealthCheck());
        assertNull(unchecked.effectiveCheck(GROUP_CHECK), "never checked, whatever the group says");
        assertEquals(Optional.of(loopback(2)), unchecked.sourceAddress(), "the rest kept");

        ServerSpec checkedAgain = unchecked.healthCheck(OWN_CHECK);
        assertFalse(checkedAgain.isUnchecked());
        assertEquals(OWN_CHECK, checkedAgain.effectiveCheck(GROUP_CHECK), "its own wins over the group's");
        assertEquals(OWN_CHECK, checkedAgain.effectiveCheck(null), "checked even in a group without checks");
        assertEquals(full(), checkedAgain);
    }

    @Test
    void equalityCoversEverySettingAndTheHashAgrees() {
        ServerSpec spec = full();
        ServerSpec same = ServerSpec.of("a", ADDRESS).healthCheck(HealthCheck.builder().interval(Duration.ofMillis(500))
                .fall(5).build()).source(loopback(2)).sendProxyProtocol(ProxyProtocolSend.v2()).backup(true)
                .maxConnections(10).weight(3);
        assertEquals(spec, same, "the same settings in another order");
        assertEquals(spec.hashCode(), same.hashCode());
        assertNotEquals(spec, spec.source(loopback(3)), "another source");
        assertNotEquals(spec, spec.healthCheck(GROUP_CHECK), "another check");
        assertNotEquals(spec, spec.unchecked(), "unchecked");
        assertNotEquals(ServerSpec.of("a", ADDRESS), ServerSpec.of("a", ADDRESS).unchecked(), "unchecked from the start");
        assertNotEquals(spec, spec.sendProxyProtocol(ProxyProtocolSend.v1()), "another header");
        assertNotEquals(spec, spec.weight(4));
        assertNotEquals(spec, ServerSpec.of("b", ADDRESS).weight(3).maxConnections(10).backup(true)
                .sendProxyProtocol(ProxyProtocolSend.v2()).source(loopback(2)).healthCheck(OWN_CHECK), "another name");
    }

    @Test
    void nullOverridesAreRefusedByName() {
        ServerSpec spec = ServerSpec.of("a", ADDRESS);
        assertEquals("source", assertThrows(NullPointerException.class, () -> spec.source(null)).getMessage());
        assertEquals("healthCheck", assertThrows(NullPointerException.class, () -> spec.healthCheck(null)).getMessage());
        assertEquals("send", assertThrows(NullPointerException.class, () -> spec.sendProxyProtocol(null)).getMessage());
    }

    @Test
    void toStringShowsTheOverrides() {
        assertEquals("a 127.0.0.1:9001 weight 1 source 127.0.0.2 unchecked",
                ServerSpec.of("a", ADDRESS).source(loopback(2)).unchecked().toString());
        assertTrue(full().toString().endsWith(" source 127.0.0.2 check " + OWN_CHECK), full().toString());
    }
}
