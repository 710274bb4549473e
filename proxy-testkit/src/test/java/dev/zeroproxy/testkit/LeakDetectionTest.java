package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves that the leak check every relay test relies on can fail. */
class LeakDetectionTest {

    @Test
    void buildRunsWithParanoidLeakDetection() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void aBufferNeverReleasedIsReported() throws InterruptedException {
        leakOneBuffer();
        List<String> leaks = LeakDetection.collectLeaks();
        assertFalse(leaks.isEmpty(), "a buffer that was never released must be reported");
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
