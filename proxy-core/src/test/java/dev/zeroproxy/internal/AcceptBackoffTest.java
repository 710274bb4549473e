package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failed accept pauses its listener, once per pause, and is logged a line a second at most. */
class AcceptBackoffTest {

    @Test
    void aFailedAcceptPausesTheListenerForOneSecondAndIsNotPassedOn() {
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptBackoff(new AcceptLimit(0, null)));
        listener.freezeTime(); // only advanceTimeBy moves the loop's clock
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        assertFalse(listener.config().isAutoRead(), "accepting pauses");
        listener.checkException(); // throws if the error had reached the end of the pipeline (a WARN with a stack trace)

        listener.advanceTimeBy(AcceptBackoff.PAUSE_MILLIS - 1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertFalse(listener.config().isAutoRead(), "still paused just before the second is over");
        listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertTrue(listener.config().isAutoRead(), "accepting resumes after the pause");
        listener.finishAndReleaseAll();
    }

    @Test
    void aBurstOfFailuresIsOneLogLineWithoutAStackTrace() {
        // slf4j-simple writes to whatever System.err is at the time of each line.
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptBackoff(new AcceptLimit(0, null)));
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (int i = 0; i < 50; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }
        } finally {
            System.setErr(stderr);
            listener.finishAndReleaseAll();
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().filter(line -> line.contains("Accepting on")).count(), log);
        assertFalse(log.contains("\tat "), "no stack trace: " + log);
        assertTrue(log.contains("Too many open files"), log);
    }
}
