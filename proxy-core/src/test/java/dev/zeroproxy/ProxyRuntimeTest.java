package dev.zeroproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link ProxyRuntime}'s settings, and what a proxy configured on one takes from it; the
 * proxies running on it are the {@code RuntimeSuite}'s, on every transport.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ProxyRuntimeTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final InetSocketAddress UPSTREAM = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    @Test
    void badSettingsAreRefusedByNameBeforeAnyThreadStarts() {
        InvalidSettingException loops = assertThrows(InvalidSettingException.class,
                () -> ProxyRuntime.builder().transport(Transport.nio()).eventLoops(0).start());
        assertEquals("eventLoops", loops.setting());
        assertEquals(List.of(1, 4096), List.of(loops.min(), loops.max()));
        assertEquals("eventLoops", assertThrows(InvalidSettingException.class,
                () -> ProxyRuntime.builder().eventLoops(4097).start()).setting());
        InvalidSettingException limit = assertThrows(InvalidSettingException.class,
                () -> ProxyRuntime.builder().transport(Transport.nio()).maxConnections(-1).start());
        assertEquals("maxConnections", limit.setting());
        assertEquals(-1, limit.value());
        assertEquals("transport", assertThrows(NullPointerException.class,
                () -> ProxyRuntime.builder().transport(null)).getMessage());
    }

    @Test
    void theRuntimeReportsItsSettingsAndLendsItsLoopsToAnUpstream() throws Exception {
        try (ProxyRuntime runtime = ProxyRuntime.builder().transport(Transport.nio()).eventLoops(2)
                .maxConnections(100).start()) {
            assertEquals("nio", runtime.transport().name());
            assertEquals(2, runtime.eventLoops());
            assertEquals(100, runtime.maxConnections());
            assertEquals(0, runtime.openConnections());
            assertEquals("ProxyRuntime{nio, 2 loop(s), maxConnections 100}", runtime.toString());
            ProxyListener listener = new ProxyListener() { };
            UpstreamRuntime lent = runtime.upstreamRuntime(listener, Duration.ofMillis(700));
            assertSame(listener, lent.listener());
            assertEquals(Duration.ofMillis(700), lent.connectTimeout());
            assertEquals("nio", lent.transport().name());
            EventLoop loop = (EventLoop) lent.eventLoops().next();
            assertTrue(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS)
                    .startsWith("zeroproxy-nio"), "the runtime's own threads");
        }
    }

    @Test
    void aProxyOnARuntimeTakesItsLoopsAndTransportAndRefusesOthers() {
        try (ProxyRuntime runtime = ProxyRuntime.builder().transport(Transport.nio()).eventLoops(3).start()) {
            ProxyConfig config = Proxy.builder().listen(ANY).upstream(UPSTREAM).runtime(runtime).build();
            assertEquals(3, config.eventLoops(), "the runtime's loops");
            assertEquals("nio", config.transport().name());
            assertEquals(Optional.of(runtime), config.runtime());
            ProxyConfig again = config.toBuilder().build();
            assertEquals(Optional.of(runtime), again.runtime(), "a derived configuration keeps the runtime");
            assertEquals(3, again.eventLoops());

            InvalidSettingException loops = assertThrows(InvalidSettingException.class,
                    () -> Proxy.builder().listen(ANY).upstream(UPSTREAM).runtime(runtime).eventLoops(4).build());
            assertEquals("eventLoops", loops.setting());
            assertEquals(4, loops.value());
            assertEquals("runtime", assertThrows(NullPointerException.class,
                    () -> Proxy.builder().runtime(null)).getMessage());
        }
    }

    @Test
    void theHalfClosedTimeoutIsNoneByDefaultNeverNegativeAndKeptByToBuilder() {
        ProxyConfig none = Proxy.builder().listen(ANY).upstream(UPSTREAM).transport(Transport.nio()).build();
        assertEquals(Duration.ZERO, none.halfClosedTimeout());
        ProxyConfig set = none.toBuilder().halfClosedTimeout(Duration.ofSeconds(5)).build();
        assertEquals(Duration.ofSeconds(5), set.halfClosedTimeout());
        assertEquals(Duration.ofSeconds(5), set.toBuilder().build().halfClosedTimeout());
        InvalidSettingException negative = assertThrows(InvalidSettingException.class,
                () -> none.toBuilder().halfClosedTimeout(Duration.ofMillis(-1)).build());
        assertEquals("halfClosedTimeout", negative.setting());
        assertEquals("halfClosedTimeout", assertThrows(NullPointerException.class,
                () -> none.toBuilder().halfClosedTimeout(null)).getMessage());
    }
}
