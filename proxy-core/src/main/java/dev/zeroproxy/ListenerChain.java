package dev.zeroproxy;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.upstream.ServerStateChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ProxyListener#all}: each event to every listener in order, one's failure not stopping the next. */
final class ListenerChain implements ProxyListener {
    private static final Logger LOGGER = LoggerFactory.getLogger(ListenerChain.class);

    private final ProxyListener[] listeners;

    private ListenerChain(ProxyListener[] listeners) {
        this.listeners = listeners;
    }

    static ProxyListener of(List<ProxyListener> given) {
        List<ProxyListener> flat = new ArrayList<>();
        for (ProxyListener listener : given) {
            Objects.requireNonNull(listener, "listener");
            if (listener instanceof ListenerChain chain) {
                flat.addAll(List.of(chain.listeners));
            } else if (listener != NOOP) {
                flat.add(listener);
            }
        }
        return flat.isEmpty() ? NOOP : flat.size() == 1 ? flat.get(0)
                : new ListenerChain(flat.toArray(new ProxyListener[0]));
    }

    private void each(String event, Consumer<ProxyListener> call) {
        for (ProxyListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOGGER.warn("ProxyListener.{} of {} threw; ignored", event, listener, e);
            }
        }
    }

    @Override
    public void connectionOpened(ConnectionInfo connection) {
        each("connectionOpened", l -> l.connectionOpened(connection));
    }

    @Override
    public void upstreamAttemptFailed(ConnectionInfo connection, Throwable cause) {
        each("upstreamAttemptFailed", l -> l.upstreamAttemptFailed(connection, cause));
    }

    @Override
    public void upstreamConnected(ConnectionInfo connection) {
        each("upstreamConnected", l -> l.upstreamConnected(connection));
    }

    @Override
    public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
        each("upstreamConnectFailed", l -> l.upstreamConnectFailed(connection, cause));
    }

    @Override
    public void connectionClosed(ConnectionInfo connection, ConnectionSummary summary) {
        each("connectionClosed", l -> l.connectionClosed(connection, summary));
    }

    @Override
    public void connectionRefused(ConnectionRefusal refusal) {
        each("connectionRefused", l -> l.connectionRefused(refusal));
    }

    @Override
    public void serverStateChanged(ServerStateChange change) {
        each("serverStateChanged", l -> l.serverStateChanged(change));
    }

    @Override
    public String toString() {
        return "ProxyListener.all" + List.of(listeners);
    }
}
