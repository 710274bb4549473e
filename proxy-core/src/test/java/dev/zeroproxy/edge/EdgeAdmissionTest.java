package dev.zeroproxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.edge.ConnectionRefusal.Reason;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EdgeAdmissionTest {
    private final FakeClock clock = new FakeClock();

    private static InetSocketAddress client(String literal, int port) {
        return new InetSocketAddress(literal, port);
    }

    @Test
    void deniedClientIsRefusedWithTheRuleAndTakesNoSlot() {
        EdgeAdmission admission = new EdgeAdmission(
                AccessRules.builder().allow("10.0.0.0/8").deny("0.0.0.0/0").build(),
                SourceLimits.builder().maxConnectionsPerSource(1).build(), clock);
        InetSocketAddress outsider = client("192.0.2.1", 40000);
        ConnectionRefusal refusal = admission.admit(outsider);
        assertEquals(new ConnectionRefusal(outsider, Reason.DENIED, "deny 0.0.0.0/0 (rule 2)"), refusal);
        assertEquals(0, admission.trackedSources(), "a denied client is never tracked");
        assertNull(admission.admit(client("10.0.0.1", 40001)));
        assertEquals(1, admission.refused(Reason.DENIED));
    }

    @Test
    void limitsRefuseWithReasonAndDetailAndCountByReason() {
        EdgeAdmission admission = new EdgeAdmission(AccessRules.NONE, SourceLimits.builder()
                .maxConnectionsPerSource(2)
                .maxNewConnectionsPerSecondPerSource(3)
                .build(), clock);
        InetSocketAddress first = client("2001:db8::5", 1000);
        assertNull(admission.admit(first));
        assertNull(admission.admit(client("2001:db8::5", 1001)));
        ConnectionRefusal tooMany = admission.admit(client("2001:db8::5", 1002));
        assertEquals(Reason.TOO_MANY_FROM_SOURCE, tooMany.reason());
        assertEquals("maxConnectionsPerSource: 2 held at once", tooMany.detail());
        admission.released(first);
        assertNull(admission.admit(client("2001:db8::5", 1003)));
        admission.released(first);
        ConnectionRefusal tooFast = admission.admit(client("2001:db8::5", 1004));
        assertEquals(Reason.TOO_FAST_FROM_SOURCE, tooFast.reason());
        assertEquals("maxNewConnectionsPerSecondPerSource: 3 per second", tooFast.detail());
        assertEquals(1, admission.refused(Reason.TOO_MANY_FROM_SOURCE));
        assertEquals(1, admission.refused(Reason.TOO_FAST_FROM_SOURCE));
        assertEquals(0, admission.refused(Reason.DENIED));
        clock.advance(Duration.ofSeconds(1));
        assertNull(admission.admit(client("2001:db8::5", 1005)));
    }

    @Test
    void everyoneAdmittedWithoutRulesOrLimits() {
        EdgeAdmission admission = EdgeAdmission.create(AccessRules.NONE, SourceLimits.NONE);
        assertTrue(admission.admitsAll());
        for (int i = 0; i < 1000; i++) {
            assertNull(admission.admit(client("192.0.2.1", 1000 + i)));
        }
        admission.released(client("192.0.2.1", 1000));
        assertEquals(0, admission.trackedSources());
        assertFalse(EdgeAdmission.create(AccessRules.builder().deny("all").build(), SourceLimits.NONE).admitsAll());
    }

    @Test
    void unresolvedClientIsAnIllegalArgument() {
        EdgeAdmission admission = EdgeAdmission.create(AccessRules.NONE, SourceLimits.NONE);
        assertThrows(IllegalArgumentException.class,
                () -> admission.admit(InetSocketAddress.createUnresolved("client.invalid", 1)));
        assertEquals("client", assertThrows(NullPointerException.class, () -> admission.admit(null)).getMessage());
    }
}
