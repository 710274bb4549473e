package dev.zeroproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.LeakDetection;
import org.junit.jupiter.api.Test;

/**
 * The PROXY header fuzzer's seeded, bounded subset, in every build: 5,000 cases (some 10-25 s
 * under the build's paranoid leak detection, which records every access). The million-case run
 * is the bench command {@code ProxyHeaderFuzz} (see the module's README).
 */
class ProxyHeaderFuzzTest {
    private static final long SEED = 20_260_101L;
    private static final int CASES = 5_000;

    @Test
    void seededCasesEndInExactlyOneOutcomeWithoutCrashLeakOrHang() throws InterruptedException {
        ProxyHeaderFuzzer fuzzer = new ProxyHeaderFuzzer(SEED);
        fuzzer.run(0, CASES);
        ProxyHeaderFuzzer.Totals totals = fuzzer.totals();

        assertEquals(CASES, totals.cases());
        assertEquals(0, totals.failedCases(), () -> String.join("\n", totals.failures()));
        assertEquals(0, totals.crashes());
        assertEquals(0, totals.hangs());
        assertEquals(0, totals.unreleased());
        assertEquals(0, totals.lenient());
        assertEquals(java.util.List.of(), LeakDetection.collectLeaks());
        // Every kind ran, and every outcome was reached.
        assertEquals(ProxyHeaderFuzzer.Kind.values().length, totals.byKind().size());
        for (ProxyHeaderFuzzer.Outcome outcome : new ProxyHeaderFuzzer.Outcome[] {ProxyHeaderFuzzer.Outcome.ACCEPTED,
            ProxyHeaderFuzzer.Outcome.REFUSED, ProxyHeaderFuzzer.Outcome.TIMED_OUT,
            ProxyHeaderFuzzer.Outcome.CLOSED_BY_PEER}) {
            assertTrue(totals.outcome(outcome) > CASES / 20, outcome + ": " + totals.outcome(outcome));
        }
    }

    @Test
    void aCaseDependsOnItsSeedAndIndexOnly() {
        ProxyHeaderFuzzer inOrder = new ProxyHeaderFuzzer(SEED);
        for (long i = 0; i < 50; i++) {
            assertEquals(inOrder.runCase(i), new ProxyHeaderFuzzer(SEED).runCase(i), "case " + i);
        }
    }
}
