package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zeroproxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Health checks of one server on real loopback sockets. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HealthCheckerTest {
    /** Short, yet long enough as a timeout (it is capped to the interval) for a cold JVM on a busy machine. */
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private EventLoopGroup group;
    private EventLoop loop;
    private CheckedServer server;
    /** Every channel the checkers create: all must be closed at the end. */
    private final List<Channel> created = new CopyOnWriteArrayList<>();
    private final ChannelFactory<Channel> tracking = () -> {
        Channel ch = Transport.nio().socketChannelFactory().newChannel();
        created.add(ch);
        return ch;
    };
    private final List<HealthChecker> checkers = new ArrayList<>();
    /** {@link CheckResult}s and {@link StateChange}s, in the order the listener heard them. */
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    record StateChange(boolean up, String reason) { }

    private final HealthChecker.Listener recording = new HealthChecker.Listener() {
        @Override
        public void checked(CheckResult result) {
            assertTrue(loop.inEventLoop(), "called on the loop");
            events.add(result);
        }

        @Override
        public void stateChanged(boolean up, String reason) {
            events.add(new StateChange(up, reason));
        }
    };

    @BeforeEach
    void setUp() {
        group = Transport.nio().newEventLoopGroup(2, new DefaultThreadFactory("health-test"));
        loop = group.next();
        server = new CheckedServer(group);
    }

    @AfterEach
    void tearDown() throws Exception {
        checkers.forEach(HealthChecker::stop);
        try {
            assertAllClosed();
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private HealthChecker checker(HealthCheck settings, HealthChecker.Listener listener) {
        return checker(server.address(), settings, listener);
    }

    private HealthChecker checker(InetSocketAddress target, HealthCheck settings, HealthChecker.Listener listener) {
        HealthChecker c = new HealthChecker(loop, tracking, target, null, settings, listener);
        checkers.add(c);
        return c;
    }

    private static HealthCheck.Builder fast() {
        return HealthCheck.builder().interval(INTERVAL).jitter(0);
    }

    private Object nextEvent() throws InterruptedException {
        Object e = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(e, "no health check event within 5 s");
        return e;
    }

    private CheckResult nextResult() throws InterruptedException {
        Object e = nextEvent();
        if (e instanceof CheckResult r) {
            return r;
        }
        return fail("expected a check result, got " + e);
    }

    /** The events up to a state change, which is the last element. */
    private List<Object> untilStateChange() throws InterruptedException {
        List<Object> seen = new ArrayList<>();
        while (true) {
            Object e = nextEvent();
            seen.add(e);
            if (e instanceof StateChange) {
                return seen;
            }
        }
    }

    private void assertAllClosed() throws InterruptedException {
        for (Channel ch : created) {
            assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS), "check channel closed: " + ch);
            assertFalse(ch.isOpen());
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void anUpServerStaysUpAndEveryCheckIsReported() throws Exception {
        HealthChecker c = checker(fast().build(), recording);
        c.start(true);
        for (int i = 0; i < 5; i++) {
            CheckResult r = nextResult();
            assertTrue(r.ok(), r.toString());
            assertEquals("connected", r.detail());
        }
        assertTrue(c.isUp());
        c.stop();
        events.stream().filter(StateChange.class::isInstance).findAny().ifPresent(e -> fail("no state change: " + e));
    }

    @Test
    void aClosedServerGoesDownAfterFallFailuresAndUpAfterRisePassesOnceListeningAgain() throws Exception {
        HealthChecker c = checker(fast().fall(3).rise(2).build(), recording);
        c.start(true);
        assertTrue(nextResult().ok());
        server.stopListening();

        List<Object> toDown = untilStateChange();
        StateChange down = (StateChange) toDown.get(toDown.size() - 1);
        assertFalse(down.up());
        assertEquals("3 consecutive checks failed: connection refused", down.reason());
        assertLastResults(toDown, 3, false);
        assertFalse(c.isUp());

        try {
            server.listenAgain();
        } catch (RuntimeException e) {
            // Rebinding a port is up to the OS; the reply-toggling test covers recovery without it.
            org.junit.jupiter.api.Assumptions.abort("could not bind the port again: " + e);
        }
        List<Object> toUp = untilStateChange();
        StateChange up = (StateChange) toUp.get(toUp.size() - 1);
        assertTrue(up.up());
        assertEquals("2 consecutive checks passed: connected", up.reason());
        assertLastResults(toUp, 2, true);
        assertTrue(c.isUp());
    }

    /** The {@code n} events before the state change are results of {@code ok}, the one before them is not. */
    private static void assertLastResults(List<Object> events, int n, boolean ok) {
        assertTrue(events.size() >= n + 1, events.toString());
        for (int i = events.size() - 1 - n; i < events.size() - 1; i++) {
            assertEquals(ok, ((CheckResult) events.get(i)).ok(), events.toString());
        }
        if (events.size() > n + 1) {
            assertEquals(!ok, ((CheckResult) events.get(events.size() - 2 - n)).ok(), "counted in a row: " + events);
        }
    }

    @Test
    void aDownServerComesUpAfterRisePassedChecksEachReportedBeforeTheChange() throws Exception {
        HealthChecker c = checker(fast().rise(3).build(), recording);
        c.start(false);
        List<Object> toUp = untilStateChange();
        assertEquals(4, toUp.size(), "three results, then the change: " + toUp);
        assertLastResults(toUp, 3, true);
        assertEquals(new StateChange(true, "3 consecutive checks passed: connected"), toUp.get(3));
    }

    @Test
    void aWrongReplyFailsWithTheBytesQuotedAndTheRightOneBringsTheServerUp() throws Exception {
        server.reply = ascii("ERR\0");
        HealthCheck settings = fast().fall(1).rise(2).send(ascii("PING\r\n")).expect(ascii("PONG")).build();
        HealthChecker c = checker(settings, recording);
        c.start(true);

        List<Object> toDown = untilStateChange();
        CheckResult failed = (CheckResult) toDown.get(toDown.size() - 2);
        assertEquals("expected 'PONG' got 'ERR\\x00'", failed.detail());
        assertEquals(new StateChange(false, "check failed: expected 'PONG' got 'ERR\\x00'"), toDown.get(toDown.size() - 1));
        assertEquals("PING\r\n", server.firstReads.poll(5, TimeUnit.SECONDS), "the check sent its bytes");

        server.reply = ascii("PONG and more");
        List<Object> toUp = untilStateChange();
        assertEquals(new StateChange(true, "2 consecutive checks passed: got 'PONG'"), toUp.get(toUp.size() - 1));
    }

    @Test
    void aBannerServerIsCheckedWithoutSending() throws Exception {
        server.banner = ascii("220 ready\r\n");
        HealthChecker c = checker(fast().expect(ascii("220 ")).build(), recording);
        c.start(false);
        CheckResult r = nextResult();
        assertTrue(r.ok(), r.toString());
        assertEquals("got '220 '", r.detail());
    }

    @Test
    void aServerThatClosesBeforeTheWholePrefixFailsWithWhatItSent() throws Exception {
        server.banner = ascii("PO");
        server.closeAfterWrite = true;
        HealthChecker c = checker(fast().expect(ascii("PONG")).build(), recording);
        c.start(true);
        CheckResult r = nextResult();
        assertFalse(r.ok());
        assertEquals("connection closed after 2 of 4 expected bytes: got 'PO'", r.detail());
    }

    @Test
    void aSilentServerFailsOnceTheTimeoutHasPassed() throws Exception {
        HealthCheck settings = HealthCheck.builder().interval(Duration.ofMillis(300)).timeout(Duration.ofMillis(100))
                .send(ascii("PING\r\n")).expect(ascii("PONG")).build();
        HealthChecker c = checker(settings, recording);
        c.start(true);
        CheckResult r = nextResult();
        assertFalse(r.ok());
        assertEquals("timed out after 100 ms (got 0 of 4 expected bytes)", r.detail());
        assertTrue(r.took().toMillis() >= 100 && r.took().toMillis() < 1000, "took " + r.took());
    }

    @Test
    void aRefusedConnectSaysSoWithoutTheAddress() throws Exception {
        InetSocketAddress closed = server.address();
        server.stopListening();
        HealthChecker c = checker(closed, fast().build(), recording);
        c.start(true);
        CheckResult r = nextResult();
        assertFalse(r.ok());
        assertEquals("connection refused", r.detail());
    }

    @Test
    void anUnresolvedAddressFailsWithoutALookup() throws Exception {
        HealthChecker c = checker(InetSocketAddress.createUnresolved("server.invalid", 80), fast().build(), recording);
        c.start(true);
        CheckResult r = nextResult();
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("unresolved address"), r.detail());
    }

    @Test
    void stopEndsTheChecksAndClosesTheChannelOfACheckInFlight() throws Exception {
        // A silent server: the check stays in flight until its timeout, or until stop().
        HealthCheck settings = HealthCheck.builder().interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(100))
                .expect(ascii("PONG")).build();
        HealthChecker c = checker(settings, recording);
        c.start(true);
        assertNotNull(server.accepted.poll(5, TimeUnit.SECONDS), "a check connected");
        c.stop();
        c.stop(); // twice is harmless
        // The stop task ran before this one (the loop runs tasks in order): from now on nothing may be heard.
        loop.submit(() -> { }).sync();
        events.clear();
        server.accepted.clear();
        assertAllClosed();
        // Several intervals, each with its timeout.
        assertNull(events.poll(500, TimeUnit.MILLISECONDS), "no callback after stop");
        assertNull(server.accepted.poll(0, TimeUnit.MILLISECONDS), "no check after stop");
    }

    @Test
    void stopFromACallbackPreventsTheStateChangeOfThatSameCheck() throws Exception {
        InetSocketAddress closed = server.address();
        server.stopListening();
        BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
        HealthChecker[] self = new HealthChecker[1];
        HealthChecker c = checker(closed, fast().fall(1).build(), new HealthChecker.Listener() {
            @Override
            public void checked(CheckResult result) {
                heard.add(result);
                self[0].stop();
            }

            @Override
            public void stateChanged(boolean up, String reason) {
                heard.add(reason);
            }
        });
        self[0] = c;
        c.start(true);
        assertTrue(heard.poll(5, TimeUnit.SECONDS) instanceof CheckResult);
        assertNull(heard.poll(200, TimeUnit.MILLISECONDS), "nothing after stop, not even the pending state change");
    }

    @Test
    void aThrowingListenerDoesNotStopTheChecks() throws Exception {
        HealthChecker c = checker(fast().build(), new HealthChecker.Listener() {
            @Override
            public void checked(CheckResult result) {
                events.add(result);
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void stateChanged(boolean up, String reason) {
            }
        });
        c.start(true);
        nextResult();
        nextResult();
    }

    @Test
    void startingTwiceIsAnError() {
        HealthChecker c = checker(fast().build(), recording);
        c.start(true);
        assertThrows(IllegalStateException.class, () -> c.start(true));
    }
}
