package dev.zeroproxy.testkit;

import dev.zeroproxy.Transport;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test whose transport cannot run on this machine, with the cause in the skip message,
 * never silently; {@code -Dzeroproxy.requireAllTransports=true} turns that skip into a failure.
 */
public final class TransportAssumptions {
    private TransportAssumptions() { }

    /** Aborts the current test (or fails it, when every transport is required) unless {@code transport} can run here. */
    public static void assumeAvailable(Transport transport) {
        String why = transport.isAvailable() ? null
                : transport.name() + " unavailable: " + transport.unavailabilityCause();
        if (why != null && Boolean.getBoolean("zeroproxy.requireAllTransports")) {
            throw new AssertionError(why);
        }
        Assumptions.assumeTrue(why == null, () -> why);
    }
}
