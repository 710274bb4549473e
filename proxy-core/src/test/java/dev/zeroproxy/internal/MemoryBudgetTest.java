package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void underTheLimitNobodyPauses() {
        MemoryBudget budget = new MemoryBudget(1000);
        assertFalse(budget.changed(0, 600));
        assertFalse(budget.changed(0, 399));
        assertEquals(999, budget.queued());
        assertFalse(budget.exhausted());
    }

    @Test
    void atTheLimitTheDirectionsHoldingBytesPauseAndAnEmptyOneDoesNot() {
        MemoryBudget budget = new MemoryBudget(1000);
        assertFalse(budget.changed(0, 600));
        assertTrue(budget.changed(0, 400), "the report that reaches the limit pauses its direction");
        assertTrue(budget.exhausted());
        assertTrue(budget.changed(600, 700), "a holder that grows while over pauses");
        assertFalse(budget.changed(400, 0), "a direction whose sink took everything reads on");
        assertEquals(700, budget.queued());
        assertFalse(budget.exhausted());
    }

    @Test
    void pausesAreCountedWhenTakenNotWhenAdvised() {
        MemoryBudget budget = new MemoryBudget(10);
        budget.changed(0, 20);
        assertEquals(0, budget.pauses());
        budget.paused();
        assertEquals(1, budget.pauses());
    }
}
