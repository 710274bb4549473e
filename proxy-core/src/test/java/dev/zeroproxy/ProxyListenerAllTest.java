package dev.zeroproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.ServerStateChange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProxyListener#all}: every event to each listener in order, a throwing one not stopping the next. */
class ProxyListenerAllTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40_000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 9_000);
    private static final ConnectionInfo CONNECTION = new ConnectionInfo(7, CLIENT, SERVER);
    private static final IOException FAILURE = new IOException("refused");
    private static final ConnectionSummary SUMMARY = new ConnectionSummary(
            1, 2, 0, Duration.ofMillis(3), null, Termination.COMPLETED, Duration.ZERO, Duration.ofMillis(1), 0);
    private static final ConnectionRefusal REFUSAL = new ConnectionRefusal(CLIENT, ConnectionRefusal.Reason.DENIED,
            "denied by rule 1");
    private static final ServerStateChange CHANGE = new ServerStateChange("g", "a", SERVER, ServerState.UP,
            ServerState.DOWN, "checks failed");

    /** Appends "name event" to a shared log for every event, after which it throws if told to. */
    private static final class Logging implements ProxyListener {
        private final String name;
        private final List<String> log;
        private final boolean throwing;

        Logging(String name, List<String> log, boolean throwing) {
            this.name = name;
            this.log = log;
            this.throwing = throwing;
        }

        private void heard(String event, Object argument, Object expected) {
            assertSame(expected, argument, name + " " + event + " gets the event's own argument");
            log.add(name + " " + event);
            if (throwing) {
                throw new IllegalStateException(name + " fails at " + event);
            }
        }

        @Override
        public String toString() {
            return name;
        }

        @Override
        public void connectionOpened(ConnectionInfo connection) {
            heard("opened", connection, CONNECTION);
        }

        @Override
        public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
            heard("attemptFailed", cause, FAILURE);
        }

        @Override
        public void upstreamConnected(ConnectionInfo connection) {
            heard("connected", connection, CONNECTION);
        }

        @Override
        public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
            heard("connectFailed", cause, FAILURE);
        }

        @Override
        public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
            heard("closed", summary, SUMMARY);
        }

        @Override
        public void connectionRefused(ConnectionRefusal refusal) {
            heard("refused", refusal, REFUSAL);
        }

        @Override
        public void serverStateChanged(ServerStateChange change) {
            heard("stateChanged", change, CHANGE);
        }
    }

    private static void fireEveryEvent(ProxyListener listener) {
        listener.connectionOpened(CONNECTION);
        listener.upstreamAttemptFailed(CONNECTION, FAILURE);
        listener.upstreamConnected(CONNECTION);
        listener.upstreamConnectFailed(CONNECTION, FAILURE);
        listener.connectionClosed(CONNECTION, SUMMARY);
        listener.connectionRefused(REFUSAL);
        listener.serverStateChanged(CHANGE);
    }

    private static final List<String> EVENTS = List.of("opened", "attemptFailed", "connected", "connectFailed",
            "closed", "refused", "stateChanged");

    private static List<String> expected(String... names) {
        List<String> expected = new ArrayList<>();
        for (String event : EVENTS) {
            for (String name : names) {
                expected.add(name + " " + event);
            }
        }
        return expected;
    }

    @Test
    void eachEventReachesEveryListenerInTheOrderGiven() {
        List<String> log = new ArrayList<>();
        fireEveryEvent(ProxyListener.all(new Logging("a", log, false), new Logging("b", log, false),
                new Logging("c", log, false)));
        assertEquals(expected("a", "b", "c"), log);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheNextNorReachTheCaller() {
        List<String> log = new ArrayList<>();
        fireEveryEvent(ProxyListener.all(new Logging("a", log, true), new Logging("b", log, false),
                new Logging("c", log, true)));
        assertEquals(expected("a", "b", "c"), log);
    }

    @Test
    void nestedChainsAreFlattenedInOrderAndNoopsDropped() {
        List<String> log = new ArrayList<>();
        Logging a = new Logging("a", log, false);
        ProxyListener inner = ProxyListener.all(new Logging("b", log, false), ProxyListener.NOOP,
                new Logging("c", log, false));
        ProxyListener chain = ProxyListener.all(ProxyListener.NOOP, a, inner, new Logging("d", log, false));
        fireEveryEvent(chain);
        assertEquals(expected("a", "b", "c", "d"), log);
        assertEquals("ProxyListener.all[a, b, c, d]", chain.toString(), "one flat chain");
    }

    @Test
    void noListenerIsNoopAndOneIsItself() {
        assertSame(ProxyListener.NOOP, ProxyListener.all());
        assertSame(ProxyListener.NOOP, ProxyListener.all(ProxyListener.NOOP, ProxyListener.NOOP));
        Logging only = new Logging("only", new ArrayList<>(), false);
        assertSame(only, ProxyListener.all(only));
        assertSame(only, ProxyListener.all(ProxyListener.NOOP, only));
    }

    @Test
    void theArrayGivenMayChangeAfterwards() {
        List<String> log = new ArrayList<>();
        ProxyListener[] given = {new Logging("a", log, false), new Logging("b", log, false)};
        ProxyListener chain = ProxyListener.all(given);
        given[1] = new Logging("x", log, false);
        fireEveryEvent(chain);
        assertEquals(expected("a", "b"), log);
    }

    @Test
    void aNullListenerIsRefusedByName() {
        Logging a = new Logging("a", new ArrayList<>(), false);
        assertEquals("listener", assertThrows(NullPointerException.class, () -> ProxyListener.all(a, null))
                .getMessage());
        assertEquals("listeners", assertThrows(NullPointerException.class,
                () -> ProxyListener.all((ProxyListener[]) null)).getMessage());
    }
}
