package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every validation message of {@link ProxyBuilder}: it names the field, the value and what was expected. */
class ProxyBuilderTest {
    private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final InetSocketAddress UPSTREAM = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    private static ProxyBuilder valid() {
        return Proxy.builder().listen(LOOPBACK_ANY).upstream(UPSTREAM).transport(Transport.nio());
    }

    private static void assertRejected(UnaryOperator<ProxyBuilder> change, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build());
        assertEquals(message, e.getMessage());
    }

    @Test
    void missingListenIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Proxy.builder().upstream(UPSTREAM).build());
        assertEquals("listen: not set (expected: an address to bind; port 0 for any free port)", e.getMessage());
    }

    @Test
    void missingUpstreamIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Proxy.builder().listen(LOOPBACK_ANY).build());
        assertEquals("upstream: not set (expected: the address to relay to)", e.getMessage());
    }

    @Test
    void nullsAreRejectedByName() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Proxy.builder().connectTimeout(null));
        assertEquals("connectTimeout", e.getMessage());
        assertEquals("listen", assertThrows(NullPointerException.class,
                () -> Proxy.builder().listen(null)).getMessage());
        assertEquals("listener", assertThrows(NullPointerException.class,
                () -> Proxy.builder().listener(null)).getMessage());
    }

    /** A refusal is data (setting, value, expected, range) so that the CLI and a config loader need not parse it. */
    @Test
    void refusalsAreTypedWithTheSettingTheValueAndTheRange() {
        InvalidSettingException range = assertThrows(InvalidSettingException.class,
                () -> Proxy.builder().listen(LOOPBACK_ANY).upstream(UPSTREAM).splicePipeSize(1024).build());
        assertEquals("splicePipeSize", range.setting());
        assertEquals(1024L, range.value());
        assertEquals((long) ProxyBuilder.MIN_SPLICE_PIPE_SIZE, range.min());
        assertEquals((long) ProxyBuilder.MAX_SPLICE_PIPE_SIZE, range.max());
        InvalidSettingException plain = assertThrows(InvalidSettingException.class,
                () -> Proxy.builder().listen(LOOPBACK_ANY).upstream(UPSTREAM).connectTimeout(Duration.ZERO).build());
        assertEquals("connectTimeout", plain.setting());
        assertEquals(Duration.ZERO, plain.value());
        assertEquals("> 0", plain.expected());
        assertEquals(null, plain.min());
    }

    @Test
    void connectTimeoutMustBePositive() {
        assertRejected(b -> b.connectTimeout(Duration.ofSeconds(-1)), "connectTimeout: PT-1S (expected: > 0)");
        assertRejected(b -> b.connectTimeout(Duration.ZERO), "connectTimeout: PT0S (expected: > 0)");
        // The timeout is scheduled in milliseconds: less than one would fire at once.
        assertRejected(b -> b.connectTimeout(Duration.ofNanos(500_000)), "connectTimeout: PT0.0005S (expected: >= 1 ms)");
        assertRejected(b -> b.connectTimeout(Duration.ofDays(30)),
                "connectTimeout: PT720H (expected: <= 2147483647 ms)");
    }

    @Test
    void idleAndDrainTimeoutsMustNotBeNegative() {
        assertRejected(b -> b.idleTimeout(Duration.ofMillis(-5)), "idleTimeout: PT-0.005S (expected: >= 0)");
        assertRejected(b -> b.drainTimeout(Duration.ofSeconds(-2)), "drainTimeout: PT-2S (expected: >= 0)");
        assertEquals(Duration.ZERO, valid().idleTimeout(Duration.ZERO).build().idleTimeout());
    }

    @Test
    void eventLoopsMustBeInRange() {
        assertRejected(b -> b.eventLoops(0), "eventLoops: 0 (expected: 1..4096)");
        assertRejected(b -> b.eventLoops(5000), "eventLoops: 5000 (expected: 1..4096)");
    }

    @Test
    void waterMarksMustBeOrdered() {
        assertRejected(b -> b.writeBufferWaterMark(0, 10), "writeBufferWaterMark.low: 0 (expected: > 0)");
        assertRejected(b -> b.writeBufferWaterMark(100, 10),
                "writeBufferWaterMark.high: 10 (expected: >= low, 100)");
    }

    @Test
    void spliceSizesMustBeInRange() {
        assertRejected(b -> b.spliceThreshold(-1), "spliceThreshold: -1 (expected: >= 0)");
        assertRejected(b -> b.splicePipeSize(4095), "splicePipeSize: 4095 (expected: 4096..1073741824 bytes)");
        assertRejected(b -> b.splicePipeSize((1 << 30) + 1),
                "splicePipeSize: 1073741825 (expected: 4096..1073741824 bytes)");
        assertEquals(4096, valid().splicePipeSize(4096).build().splicePipeSize());
    }

    @Test
    void nioCannotSpliceAndSaysWhichTransportCan() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> valid().forwarding(Forwarding.SPLICE).build());
        assertTrue(e.getMessage().startsWith("forwarding: SPLICE is not supported by transport nio (expected: "),
                e.getMessage());
    }

    @Test
    void unknownTransportNameListsTheKnownOnes() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Transport.named("dpdk"));
        assertEquals("transport", e.setting());
        assertEquals("dpdk", e.value());
        assertTrue(e.expected().startsWith("one of: ") && e.expected().contains("nio"), e.getMessage());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        var config = Proxy.builder().listen(LOOPBACK_ANY).upstream(UPSTREAM).build();
        assertEquals(ProxyBuilder.DEFAULT_CONNECT_TIMEOUT, config.connectTimeout());
        assertEquals(ProxyBuilder.DEFAULT_IDLE_TIMEOUT, config.idleTimeout());
        assertEquals(ProxyBuilder.DEFAULT_DRAIN_TIMEOUT, config.drainTimeout());
        // BEST, and this module's test class path has no transport that splices: copy, and said so.
        assertEquals(Forwarding.BEST, config.requestedForwarding());
        assertEquals(Forwarding.COPY, config.forwarding());
        assertTrue(config.toString().contains("forwarding=COPY (BEST on nio)"), config.toString());
        assertEquals(ProxyBuilder.DEFAULT_SPLICE_THRESHOLD, config.spliceThreshold());
        assertEquals(ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE, config.splicePipeSize());
        assertEquals(Transport.best(Forwarding.COPY), config.transport());
        assertEquals(config.toString(), config.toBuilder().build().toString());
    }
}
