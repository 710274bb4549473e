package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transition table against the diagram in docs/architecture.md, arrow by arrow. */
class PumpStateTest {
    private static final Set<String> ARROWS = Set.of(
            "WAITING->COPYING", "WAITING->SPLICING", "WAITING->ENDING", "WAITING->FINISHED",
            "COPYING->SPLICING", "COPYING->ENDING", "COPYING->FINISHED",
            "SPLICING->DRAINING", "SPLICING->ENDING", "SPLICING->FINISHED",
            "DRAINING->ENDING", "DRAINING->FINISHED",
            "ENDING->FINISHED");

    @Test
    void everyPairOfStatesIsAllowedExactlyWhenTheDiagramHasThatArrow() {
        for (PumpState from : PumpState.values()) {
            for (PumpState to : PumpState.values()) {
                assertEquals(ARROWS.contains(from + "->" + to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void finishedIsTerminalAndNothingReturnsToWaiting() {
        for (PumpState to : PumpState.values()) {
            assertFalse(PumpState.FINISHED.canMoveTo(to), "FINISHED -> " + to);
        }
        for (PumpState from : EnumSet.complementOf(EnumSet.of(PumpState.FINISHED))) {
            assertTrue(from.canMoveTo(PumpState.FINISHED), from + " can always finish (the sink may go)");
            assertFalse(from.canMoveTo(PumpState.WAITING), from + " -> WAITING");
        }
    }
}
