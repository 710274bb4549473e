package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The enlarged-pipe budget: its size from the kernel's limits, and its accounting. */
class PipeBudgetTest {
    private static final long MIB = 1 << 20;

    @Test
    void theLimitIsHalfThePerUserSoftLimitUnlessExempt() {
        // Linux's default soft limit, 16384 pages of 4 KiB: 64 MiB, of which half.
        assertEquals(32 * MIB, PipeBudget.limitFor(16384, false));
        assertEquals(Long.MAX_VALUE, PipeBudget.limitFor(16384, true), "CAP_SYS_RESOURCE/CAP_SYS_ADMIN: exempt");
        assertEquals(Long.MAX_VALUE, PipeBudget.limitFor(0, false), "0: the kernel sets no soft limit");
    }

    @Test
    void exemptionIsReadFromTheEffectiveCapabilities() {
        assertFalse(PipeBudget.privileged("0000000000000000"), "no capabilities");
        assertTrue(PipeBudget.privileged("0000000001000000"), "CAP_SYS_RESOURCE (bit 24)");
        assertTrue(PipeBudget.privileged("0000000000200000"), "CAP_SYS_ADMIN (bit 21)");
        assertFalse(PipeBudget.privileged("00000000fcdfffff"), "everything but those two");
        assertTrue(PipeBudget.privileged("000001ffffffffff"), "root's full set");
        assertFalse(PipeBudget.privileged(null), "unknown: not exempt");
    }

    @Test
    void chargesWhatTheKernelWillAllocate() {
        assertEquals(4096, PipeBudget.kernelCapacity(1), "at least a page");
        assertEquals(4096, PipeBudget.kernelCapacity(4096));
        assertEquals(8192, PipeBudget.kernelCapacity(4097));
        assertEquals(MIB, PipeBudget.kernelCapacity((int) MIB));
        assertEquals(MIB, PipeBudget.kernelCapacity(768 * 1024), "rounded up to a power of two");
        assertEquals(1L << 30, PipeBudget.kernelCapacity(1 << 30));
    }

    @Test
    void refusesWhatDoesNotFitAndTakesItBackOnRelease() {
        PipeBudget budget = new PipeBudget(3 * MIB);
        assertTrue(budget.tryAcquire(MIB));
        assertTrue(budget.tryAcquire(2 * MIB));
        assertFalse(budget.tryAcquire(1), "full");
        assertEquals(3 * MIB, budget.inUseBytes());
        budget.release(MIB);
        assertFalse(budget.tryAcquire(2 * MIB), "1 MiB free, 2 asked");
        assertTrue(budget.tryAcquire(MIB));
        assertEquals(3 * MIB, budget.inUseBytes());
    }

    @Test
    void anUnlimitedBudgetNeverOverflows() {
        PipeBudget budget = new PipeBudget(Long.MAX_VALUE);
        for (int i = 0; i < 1000; i++) {
            assertTrue(budget.tryAcquire(1L << 30));
        }
        assertEquals(1000L << 30, budget.inUseBytes());
    }
}
