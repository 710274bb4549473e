package dev.zeroproxy.micrometer;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.ServerStateChange;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Latches on the events the tests wait for besides closes (which the test kit's RecordingListener awaits). */
final class Listeners {
    private Listeners() { }

    /** Opens once {@code count} connections were refused at the edge. */
    static final class Refusals implements ProxyListener {
        private final CountDownLatch latch;

        Refusals(int count) {
            latch = new CountDownLatch(count);
        }

        @Override
        public void connectionRefused(ConnectionRefusal refusal) {
            latch.countDown();
        }

        void await() throws InterruptedException {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no refusal heard within 10 s");
            }
        }
    }

    /** Opens once the server named {@code server} entered {@code state}. */
    static final class StateReached implements ProxyListener {
        private final String server;
        private final ServerState state;
        private final CountDownLatch latch = new CountDownLatch(1);

        StateReached(String server, ServerState state) {
            this.server = server;
            this.state = state;
        }

        @Override
        public void serverStateChanged(ServerStateChange change) {
            if (change.server().equals(server) && change.to() == state) {
                latch.countDown();
            }
        }

        void await() throws InterruptedException {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("server " + server + " not " + state + " within 10 s");
            }
        }
    }
}
