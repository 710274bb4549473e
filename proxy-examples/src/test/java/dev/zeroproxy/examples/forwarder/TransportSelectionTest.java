package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import org.junit.jupiter.api.Test;

/** The rules of {@code --transport} and {@code --mode}, checked against whatever transports this build has. */
class TransportSelectionTest {

    private static boolean someAvailableTransportSupports(Forwarding mode) {
        return Transport.all().stream().anyMatch(t -> t.isAvailable() && t.supports(mode));
    }

    @Test
    void autoAutoPicksAutoForwardingWhereAvailableElseCopy() {
        TransportSelection selection = TransportSelection.resolve("auto", ModeOption.AUTO);
        Forwarding expected = someAvailableTransportSupports(Forwarding.AUTO) ? Forwarding.AUTO : Forwarding.COPY;
        assertEquals(expected, selection.forwarding());
        assertSame(Transport.best(expected), selection.transport());
        assertEquals(selection, TransportSelection.resolve("auto", null), "no --mode means auto");
    }

    @Test
    void autoCopyIsTheBestTransport() {
        assertEquals(new TransportSelection(Transport.best(), Forwarding.COPY),
                TransportSelection.resolve("AUTO", ModeOption.COPY));
    }

    @Test
    void autoSpliceIsTheBestSplicerOrARefusalNamingTheMode() {
        if (someAvailableTransportSupports(Forwarding.SPLICE)) {
            TransportSelection selection = TransportSelection.resolve("auto", ModeOption.SPLICE);
            assertTrue(selection.transport().supports(Forwarding.SPLICE));
            assertEquals(Forwarding.SPLICE, selection.forwarding());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TransportSelection.resolve("auto", ModeOption.SPLICE));
            assertTrue(e.getMessage().startsWith("--mode splice: no available transport supports SPLICE"),
                    e.getMessage());
        }
    }

    @Test
    void namedTransportWithoutModeFallsBackToCopyWhenItCannotAuto() {
        assertEquals(new TransportSelection(Transport.nio(), Forwarding.COPY), TransportSelection.resolve("Nio", null));
    }

    @Test
    void namedTransportWithExplicitModeTakesItLiterallyForTheBuilderToCheck() {
        assertEquals(new TransportSelection(Transport.nio(), Forwarding.AUTO),
                TransportSelection.resolve("nio", ModeOption.AUTO));
    }

    @Test
    void unknownTransportNamesTheValueAndTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransportSelection.resolve("token-ring", null));
        assertTrue(e.getMessage().startsWith("--transport: 'token-ring' is not a transport of this build"
                + " (expected one of: auto, "), e.getMessage());
        for (Transport t : Transport.all()) {
            assertTrue(e.getMessage().contains(t.name()), e.getMessage());
        }
    }

    @Test
    void unavailableTransportIsRefusedWithItsCause() {
        for (Transport t : Transport.all()) {
            if (!t.isAvailable()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> TransportSelection.resolve(t.name(), null));
                assertTrue(e.getMessage().startsWith("--transport: " + t.name() + " is not available here ("),
                        e.getMessage());
            }
        }
    }
}
