package dev.zeroproxy.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test during which Netty reports a leaked buffer.
 *
 * <p>Registered automatically (JUnit extension auto-detection, switched on in the build) so
 * its static initializer installs the recording detector factory before any buffer class is
 * loaded. Netty only reports a leak when the leaked buffer has been garbage-collected and a
 * later buffer is tracked, so after each test this forces a collection and tracks a few
 * buffers before looking at what was recorded.
 */
public final class LeakDetection implements AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                    Class<T> resource, int samplingInterval, long maxActive) {
                ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval, maxActive);
                detector.setLeakListener((type, records) -> {
                    synchronized (LEAKS) {
                        LEAKS.add(type + ": " + records);
                    }
                });
                return detector;
            }
        });
    }

    /** Public for JUnit's service loader. */
    public LeakDetection() { }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> found = collectLeaks();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " leaked Netty buffer(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n", found));
        }
    }

    /** Collects garbage, lets Netty report what leaked, and returns (and forgets) those reports. */
    public static List<String> collectLeaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20); // let the collector enqueue the phantom references it found
            touchBuffers();
        }
        synchronized (LEAKS) {
            List<String> found = List.copyOf(LEAKS);
            LEAKS.clear();
            return found;
        }
    }

    private static void touchBuffers() {
        for (int i = 0; i < 8; i++) {
            ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            pooled.release();
            ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
            unpooled.release();
        }
    }
}
