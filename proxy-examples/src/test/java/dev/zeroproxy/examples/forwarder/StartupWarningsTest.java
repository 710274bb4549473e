package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 9, finding 8: flags that do nothing, and a pipe size the kernel will refuse, are said at start-up. */
class StartupWarningsTest {

    @Test
    void spliceFlagsWithCopyAreNamedWithWhy() {
        List<String> warnings = StartupWarnings.ineffectiveFlags(
                Set.of("--splice-threshold", "--splice-pipe-size", "--listen"), Forwarding.COPY, "nio");
        assertEquals(List.of(
                "--splice-threshold has no effect with mode copy on transport nio (it sets when mode auto switches to splice)",
                "--splice-pipe-size has no effect with mode copy on transport nio (nothing is spliced)"), warnings);
    }

    @Test
    void theThresholdOnlyMattersToAuto() {
        assertEquals(1, StartupWarnings.ineffectiveFlags(Set.of("--splice-threshold"), Forwarding.SPLICE, "epoll").size());
        assertTrue(StartupWarnings.ineffectiveFlags(Set.of("--splice-threshold", "--splice-pipe-size"),
                Forwarding.AUTO, "epoll").isEmpty());
    }

    @Test
    void aPipeAboveTheKernelLimitIsWarnedAboutUnlessPrivileged() {
        String warning = StartupWarnings.pipeSize(2 << 20, 1 << 20, false);
        assertEquals("--splice-pipe-size 2m is above /proc/sys/fs/pipe-max-size (1m) and this process lacks"
                + " CAP_SYS_RESOURCE: splice pipes will keep the kernel's default size (64k); ask for at most 1m,"
                + " or raise /proc/sys/fs/pipe-max-size", warning);
        assertNull(StartupWarnings.pipeSize(2 << 20, 1 << 20, true), "CAP_SYS_RESOURCE lifts the limit");
        assertNull(StartupWarnings.pipeSize(1 << 20, 1 << 20, false), "at the limit is granted");
    }
}
