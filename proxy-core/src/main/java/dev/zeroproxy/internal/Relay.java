package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSnapshot;
import dev.zeroproxy.ConnectionState;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.ProxyClosedConnectionException;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.TcpInfo;
import dev.zeroproxy.Termination;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamLease;
import dev.zeroproxy.edge.ProxyProtocolSend;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection: the accepted client channel, the upstream channel its
 * {@link UpstreamConnector} connects on the same event loop, and the two {@link Pump}s between them.
 *
 * <p>It decides how the pair ends: cleanly when both directions have finished (each source hit
 * EOF and the matching sink's output was shut after its last byte); abruptly on an error,
 * where the peer of the failed side is reset rather than given a clean EOF that would pass a
 * truncated stream off as complete; or by the proxy, on idle or drain timeout. It reports the
 * connection to the {@link ProxyListener} exactly once per event.
 *
 * <p>All methods run on the pair's event loop.
 */
final class Relay implements PumpOwner {
    private static final Logger LOGGER = LoggerFactory.getLogger(Relay.class);

    /** The configuration this connection was accepted under, and through it the proxy. */
    private final ProxyGeneration generation;
    /** The connection; its upstream is set once connected (or failed). Volatile: handles read it from any thread. */
    private volatile ConnectionInfo info;
    private final Channel client;
    private final Pump fromClient;
    private final Pump fromUpstream;
    private final long startNanos = System.nanoTime();
    /** The upstream: the channel of the attempt in flight, then the connected one; null between attempts. */
    private Channel upstream;
    /** The set-up phase, until the upstream is connected or given up. */
    private UpstreamConnector connector;
    /** The connected server's lease, released when the pair has closed. */
    private UpstreamLease lease;
    /**
     * What the client sent before it was cut while the upstream was still connecting: handed to
     * the upstream, followed by a reset, once the connect completes.
     */
    private HeldReads heldForReset;
    /**
     * This loop's idle checks; null without an idle timeout. Once one direction has ended, the
     * loop's half-closed wheel instead, if there is a half-closed timeout.
     */
    private IdleWheel idleWheel;
    /** Links of the {@link IdleWheel} slot this relay waits in; {@link #idleSlot} -1 when in none. */
    Relay idlePrev;
    Relay idleNext;
    int idleSlot = -1;
    private boolean closing;
    /** Both channels have closed and the listener has heard it. */
    private boolean ended;
    private Throwable cause;
    private Termination termination;
    /** Set-up figures for the summary: when the first connect attempt started, when one connected (0: not yet). */
    private long firstAttemptNanos;
    private long connectedNanos;
    private int attempts;
    /** Paused through a {@link dev.zeroproxy.ConnectionHandle}: neither side is read until resumed. */
    private boolean paused;

    Relay(ProxyGeneration generation, Channel client, ConnectionInfo info, IdleWheel idleWheel) {
        this.generation = generation;
        this.client = client;
        this.info = info;
        this.idleWheel = idleWheel;
        this.fromClient = new Pump(this, Direction.FROM_CLIENT, generation.config());
        this.fromUpstream = new Pump(this, Direction.FROM_UPSTREAM, generation.config());
    }

    /** Read through the generation rather than kept: a field would cost every relay 8 B (alignment). */
    ProxyConfig config() {
        return generation.config();
    }

    ProxyGeneration generation() {
        return generation;
    }

    private ProxyServer server() {
        return generation.server();
    }

    ConnectionInfo info() {
        return info;
    }

    /** The pair's channels that exist so far. */
    List<Channel> channels() {
        return upstream == null ? List.of(client) : List.of(client, upstream);
    }

    EventLoop eventLoop() {
        return client.eventLoop();
    }

    @Override
    public long connectionId() {
        return info.id();
    }

    @Override
    public ProxyCounters counters() {
        return server().counters();
    }

    @Override
    public ChannelFuture shutdownOutput(DuplexChannel sink) {
        return config().transport().shutdownOutput(sink);
    }

    @Override
    public MemoryBudget memoryBudget() {
        return server().memoryBudget();
    }

    long startNanos() {
        return startNanos;
    }

    long id() {
        return info.id();
    }

    Instant openedAt() {
        return ProcessClock.instantOf(startNanos);
    }

    /**
     * Installs the client side, whose pump holds what the client sends until there is an
     * upstream, and starts the set-up phase. Called once the client channel is registered.
     */
    void open() {
        if (client.config().getRecvByteBufAllocator() instanceof CountingRecvByteBufAllocator counting) {
            // The channel read before the relay (the PROXY header): its handle is kept; redirect it.
            counting.countInto(fromClient);
        } else {
            client.config().setRecvByteBufAllocator(new CountingRecvByteBufAllocator(fromClient));
        }
        client.pipeline().addLast("pump", fromClient);
        notifyListener("connectionOpened", l -> l.connectionOpened(info));
        FlightEvents.connectionOpened(info, server().localAddress());
        if (idleWheel != null) {
            idleWheel.add(this, startNanos + config().idleTimeout().toNanos());
        }

        connector = new UpstreamConnector(this);
        connector.start();
    }

    /**
     * Bytes the client sent in the same read as its PROXY header, read before this relay existed:
     * counted now, as read from the client (they are forwarded with the rest).
     */
    void countEarlyClientBytes(int bytes) {
        if (bytes > 0) {
            fromClient.bytesRead(bytes);
        }
    }

    /** The connector started an attempt on {@code channel}: the pair's upstream, should it close meanwhile. */
    void attemptStarted(Channel channel) {
        upstream = channel;
    }

    /** A connect attempt begins (whether or not it gets a socket): for the summary's set-up figures. */
    void attemptBegun() {
        if (attempts++ == 0) {
            firstAttemptNanos = System.nanoTime();
        }
    }

    /** The attempt failed; its channel is closed. */
    void attemptEnded() {
        upstream = null;
    }

    /**
     * The set-up phase is over: {@code channel} is connected to {@code connected}'s server. The
     * relay takes the channel over (its pump replaces {@link ConnectingHandler} before the
     * channel can read), and the bytes flow; unless the pair is closing, in which case the
     * channel is closed, or the client was cut while this connect was pending, in which case the
     * upstream gets what the client sent, then a reset.
     */
    void upstreamConnected(Channel channel, ConnectionInfo connectedInfo, UpstreamLease connected) {
        connector = null;
        info = connectedInfo;
        upstream = channel;
        lease = connected;
        connectedNanos = System.nanoTime();
        try {
            connected.connected(this::cutByUpstream);
        } catch (RuntimeException e) {
            LOGGER.warn("{}: UpstreamLease.connected threw; ignored", info, e);
        }
        HeldReads held = heldForReset;
        heldForReset = null;
        if (held != null) {
            // The client was cut while this connect was pending: deliver what it sent, then the reset.
            held.handTo(buf -> channel.write(buf, channel.voidPromise()));
            resetAfterFlush(channel);
            return;
        }
        if (closing) {
            // Closed meanwhile (idle or drain timeout).
            channel.close();
            return;
        }
        channel.config().setRecvByteBufAllocator(new CountingRecvByteBufAllocator(fromUpstream));
        channel.pipeline().replace(ConnectingHandler.INSTANCE, "pump", fromUpstream);
        LOGGER.debug("{}: upstream connected", info);
        notifyListener("upstreamConnected", l -> l.upstreamConnected(info));
        ProxyProtocolSend serverHeader = connected.sendProxyProtocol();
        ProxyProtocolSend header = serverHeader != null ? serverHeader : config().sendProxyProtocol().orElse(null);
        if (header != null) {
            // Unflushed: the client pump's first flush carries it with the client's first bytes.
            ProxyHeaderWriter.write(channel, client, info, header);
        }
        fromClient.start(client, channel);
        fromUpstream.start(channel, client);
        if (paused) {
            // Paused while it connected: the pumps start, but neither side is read until resumed.
            pauseReading(true);
        }
        if (header != null) {
            // Nothing from the client yet: the header goes alone (a server that speaks first waits for it).
            channel.flush();
        }
    }

    /** The set-up phase ended without an upstream because the pair is closing (cut by the proxy). */
    void setupCancelled() {
        connector = null;
        if (heldForReset != null) {
            heldForReset.release();
            heldForReset = null;
        }
    }

    /**
     * No upstream could be had (every attempt failed, the upstream refused, no socket): reported
     * once. The client, if still there, is reset: nothing it sent reached anyone, and a clean
     * EOF would read as an empty answer. A direct connection would have been refused too.
     */
    void connectFailed(ConnectionInfo failedInfo, Throwable cause) {
        connector = null;
        info = failedInfo;
        if (heldForReset != null) {
            heldForReset.release();
            heldForReset = null;
        }
        server().counters().connectFailures.increment();
        LOGGER.debug("{}: upstream connect failed: {}", info, cause.toString());
        notifyListener("upstreamConnectFailed", l -> l.upstreamConnectFailed(info, cause));
        if (!closing) {
            beginClosing(cause, Termination.CONNECT_FAILED);
            Resets.now(client);
        }
    }

    @Override
    public Pump pumpInto(Channel channel) {
        return channel == client ? fromUpstream : fromClient;
    }

    @Override
    public Pump pumpFrom(Channel channel) {
        return channel == client ? fromClient : fromUpstream;
    }

    @Override
    public void directionFinished() {
        if (fromClient.isFinished() && fromUpstream.isFinished()) {
            closeCompleted();
        } else {
            enterHalfClosed();
        }
    }

    /**
     * The first direction ended: from now on the half-closed timeout bounds the silence. The
     * relay moves to its loop's half-closed wheel (the same links, a wheel of that timeout's own
     * ticks), so that it costs no timer of its own and nothing keeps it once closed.
     */
    private void enterHalfClosed() {
        IdleWheel halfClosed = generation.halfClosedWheel(eventLoop());
        if (halfClosed == null || halfClosed == idleWheel || closing) {
            return;
        }
        if (idleWheel != null) {
            idleWheel.remove(this);
        }
        idleWheel = halfClosed;
        halfClosed.add(this, lastActivityNanos() + generation.halfClosedTimeoutNanos());
    }

    private long lastActivityNanos() {
        return Math.max(startNanos, Math.max(fromClient.lastReadNanos(), fromUpstream.lastReadNanos()));
    }

    /**
     * A channel closed without the relay asking. A copying source has read everything up to
     * its EOF by then, so the direction out of it ends as at EOF, and nothing can reach the
     * channel any more, so the direction into it is over. But where bytes it sent may still
     * have been unread (before the upstream connected, or while the kernel spliced or drained
     * it), the stream out of it is cut, and its peer must be told so: that is an abort.
     */
    @Override
    public void channelInactive(Channel channel) {
        if (closing) {
            return;
        }
        PumpState out = pumpFrom(channel).state();
        if (out == PumpState.WAITING || out == PumpState.SPLICING || out == PumpState.DRAINING) {
            abort(new ClosedChannelException(), channel);
            return;
        }
        pumpInto(channel).finish();
        pumpFrom(channel).sourceEnded();
    }

    /**
     * {@code failed} reported an error (reset, broken pipe, failed write): its peer must learn
     * that the stream was cut, so it gets a reset, never the clean EOF that would pass a
     * truncated stream off as complete. What was already read for the peer is handed to its
     * kernel first, as a direct connection (and HAProxy) would have delivered it before the
     * reset.
     *
     * <p>If the failed side is the client and the upstream is still connecting, the connect is
     * let finish (it is bounded by the connect timeout): the upstream then gets what the client
     * sent, then the reset. Closing the connecting channel instead would give the upstream a
     * clean FIN wherever the kernel had completed the handshake already, which on loopback is
     * nearly always.
     */
    @Override
    public void abort(Throwable error, Channel failed) {
        if (closing) {
            return;
        }
        LOGGER.debug("{}: aborted by {} side: {}", info, failed == client ? "client" : "upstream", error.toString());
        beginClosing(error, failed == client ? Termination.CLIENT_ABORTED : Termination.UPSTREAM_ABORTED);
        Channel peer = failed == client ? upstream : client;
        failed.close();
        if (peer == null) {
            return;
        }
        if (peer == upstream && connector != null && connector.isConnecting()) {
            heldForReset = fromClient.takeHeld();
            return;
        }
        resetAfterFlush(peer);
    }

    /**
     * Hands {@code peer}'s kernel what is queued for it (a flush writes on this thread, as much
     * as the socket takes at once), then closes it with {@code SO_LINGER} 0, which sends a reset.
     * On loopback what the kernel took is already in the peer's receive queue; between hosts,
     * what it has not transmitted yet is discarded with the reset. Either way the peer reads a
     * prefix and then the reset, and a peer that reads nothing does not hold the close up.
     */
    private void resetAfterFlush(Channel peer) {
        // Linger first: the flush itself may fail (the peer gone too) and close the channel.
        Resets.onClose(peer);
        if (peer.isActive()) {
            peer.flush();
            salvageSplicedBytes(peer);
        }
        peer.close();
    }

    /**
     * A splice that failed part-way can leave bytes in the pipe into {@code peer} that no queued
     * write will move (see {@link Transport.Splicer#salvage}). They go to the socket now, but
     * only when everything queued for the peer before them was written: otherwise they would
     * overtake it, and the socket is full anyway.
     */
    private void salvageSplicedBytes(Channel peer) {
        Transport.Splicer splicer = config().forwarding() == Forwarding.COPY ? null : config().transport().splicer();
        ChannelOutboundBuffer queued = peer.unsafe().outboundBuffer();
        if (splicer == null || queued == null || !queued.isEmpty()) {
            return;
        }
        try {
            splicer.salvage(peer);
        } catch (IOException | RuntimeException e) {
            // The peer is being reset for the cut either way; what did not move is cut with it.
            LOGGER.debug("{}: could not move spliced bytes ahead of the reset: {}", info, e.toString());
        }
    }

    /** Both directions ended cleanly: closes both channels, reported as completed once both are closed. */
    private void closeCompleted() {
        if (closing) {
            return;
        }
        beginClosing(null, Termination.COMPLETED);
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** From now on the pair is ending; the listener hears it once both channels have closed. */
    private void beginClosing(Throwable why, Termination how) {
        closing = true;
        cause = why;
        termination = how;
        if (connector != null) {
            connector.abandon();
        }
        if (idleWheel != null) {
            idleWheel.remove(this);
        }
        // The channel as it is now: a connect in flight may fail and be dropped (upstream = null)
        // before the client's close completes, which io_uring defers while a read is pending.
        Channel upstreamNow = upstream;
        // The kernel's figures are read now, while the sockets are open (only when recorded).
        Object closedEvent = FlightEvents.closing(config().transport(), client, upstreamNow);
        if (upstreamNow == null) {
            client.closeFuture().addListener(f -> closed(closedEvent));
        } else {
            client.closeFuture().addListener(f -> upstreamNow.closeFuture().addListener(g -> closed(closedEvent)));
        }
    }

    private void closed(Object closedEvent) {
        ended = true;
        fromClient.connectionEnded();
        fromUpstream.connectionEnded();
        long now = System.nanoTime();
        ConnectionSummary summary = new ConnectionSummary(
                fromClient.bytesRead(), fromUpstream.bytesRead(),
                fromClient.bytesSpliced() + fromUpstream.bytesSpliced(),
                Duration.ofNanos(now - startNanos), cause, termination,
                Duration.ofNanos((attempts == 0 ? now : firstAttemptNanos) - startNanos),
                connectedNanos == 0 ? null : Duration.ofNanos(connectedNanos - firstAttemptNanos),
                Math.max(0, attempts - 1));
        LOGGER.debug("{}: closed, {} B from client, {} B from upstream{}", info, summary.bytesFromClient(),
                summary.bytesFromUpstream(), cause == null ? "" : ", cause: " + cause);
        notifyListener("connectionClosed", l -> l.connectionClosed(info, summary));
        FlightEvents.connectionClosed(closedEvent, info, summary);
        if (lease != null) {
            UpstreamLease ended = lease;
            lease = null;
            try {
                ended.released();
            } catch (RuntimeException e) {
                LOGGER.warn("{}: UpstreamLease.released threw; ignored", info, e);
            }
        }
        // After the lease: the generation (and so its upstream) outlives the lease it lent.
        generation.release();
        // Last: once the proxy counts the connection gone, an upstream it alone used is stopped
        // (a caller that waits for no active connection may then hand that upstream to another proxy).
        server().relayClosed(this);
    }

    /**
     * The {@link IdleWheel} reached this relay's deadline (the last read either way, or the
     * start, plus the idle timeout): closes it if nothing was read since, else waits again
     * until one timeout after the last read.
     */
    void idleDue(long nowNanos) {
        if (closing) {
            return;
        }
        long lastActivity = lastActivityNanos();
        long idleNanos = nowNanos - lastActivity;
        boolean halfClosed = idleWheel == generation.halfClosedWheel(eventLoop());
        long timeoutNanos = halfClosed ? generation.halfClosedTimeoutNanos() : config().idleTimeout().toNanos();
        if (idleNanos >= timeoutNanos) {
            LOGGER.debug("{}: {}idle for {} ms, closing", info, halfClosed ? "half-closed and " : "",
                    TimeUnit.NANOSECONDS.toMillis(idleNanos));
            // A reset, like every close the proxy decides: bytes it handed to its kernel may still
            // wait there, unread by a peer that stopped reading, and a FIN after them would make
            // the cut stream look complete. (HAProxy's "option nolinger" closes this way too.)
            cut(halfClosed
                    ? new ProxyClosedConnectionException(ProxyClosedConnectionException.Reason.HALF_CLOSED_TIMEOUT,
                            Duration.ofNanos(timeoutNanos))
                    : new ProxyClosedConnectionException(ProxyClosedConnectionException.Reason.IDLE_TIMEOUT,
                            config().idleTimeout()));
        } else {
            idleWheel.add(this, lastActivity + timeoutNanos);
        }
    }

    /**
     * The upstream's own cut (its group took the server out of service: marked down, or a drain
     * deadline passed), from any thread.
     */
    private void cutByUpstream() {
        try {
            eventLoop().execute(() -> cut(new ProxyClosedConnectionException(
                    ProxyClosedConnectionException.Reason.SERVER_OUT_OF_SERVICE, null)));
        } catch (RejectedExecutionException stopping) {
            // The proxy is stopping: its own drain cuts the pair.
        }
    }

    /** Called by the proxy when its drain ended (timed out, or interrupted) with this pair open. */
    void closeForShutdown(ProxyClosedConnectionException.Reason reason, Duration limit) {
        if (heldForReset != null) {
            // Waiting for a pending connect to deliver a cut client's bytes: there is no time left.
            heldForReset.release();
            heldForReset = null;
            Resets.now(upstream);
            return;
        }
        cut(new ProxyClosedConnectionException(reason, limit));
    }

    /**
     * The proxy itself ends a pair whose streams may be mid-way: each side gets what was already
     * read for it, then a reset, so that neither reads a cut stream as complete (a FIN would say
     * the other end had finished). Reported with {@code why}.
     */
    private void cut(ProxyClosedConnectionException why) {
        if (ended || (closing && termination != Termination.CLOSED_BY_OPERATOR)) {
            return;
        }
        LOGGER.debug("{}: cut by the proxy: {}", info, why.getMessage());
        if (closing) {
            // A graceful close was under way (a side had not taken its bytes yet): it ends now, in a reset.
            cause = why;
            termination = Termination.of(why.reason());
        } else {
            beginClosing(why, Termination.of(why.reason()));
        }
        resetAfterFlush(client);
        if (upstream != null) {
            // Still connecting, it is reset too: the kernel has usually completed the handshake.
            resetAfterFlush(upstream);
        }
    }

    // What a ConnectionHandle asks (RelayHandle hands each call to this loop).

    /** This connection's figures now, or null once it has ended. */
    ConnectionSnapshot snapshot() {
        if (ended) {
            return null;
        }
        Transport transport = config().transport();
        Channel upstreamNow = lease != null ? upstream : null;
        return new ConnectionSnapshot(info, Duration.ofNanos(System.nanoTime() - startNanos), state(),
                fromClient.bytesRead(), fromUpstream.bytesRead(),
                fromClient.bytesSpliced() + fromUpstream.bytesSpliced(), paused, fromClient.rateLimit(),
                tcpInfo(transport, client), upstreamNow == null ? Optional.empty() : tcpInfo(transport, upstreamNow));
    }

    private ConnectionState state() {
        if (closing) {
            return ConnectionState.CLOSING;
        }
        if (lease == null) {
            return ConnectionState.CONNECTING;
        }
        return fromClient.state().isSourceEnded() || fromUpstream.state().isSourceEnded()
                ? ConnectionState.HALF_CLOSED : ConnectionState.FORWARDING;
    }

    private static Optional<TcpInfo> tcpInfo(Transport transport, Channel channel) {
        return Optional.ofNullable(TcpInfos.read(transport, channel));
    }

    /** Stops (true) or restarts (false) reading both sides; the pumps keep every other reason not to read. */
    void pauseReading(boolean pause) {
        if (closing) {
            return;
        }
        paused = pause;
        if (pause) {
            if (lease != null) {
                fromClient.holdReads();
                fromUpstream.holdReads();
            } else {
                // Not started: the client's pump holds its reads until the start, which pauses again.
                client.config().setAutoRead(false);
            }
        } else if (lease != null) {
            fromClient.readAgain();
            fromUpstream.readAgain();
        }
    }

    /** Whether an operator paused this connection: the pumps do not turn reading on while it is. */
    @Override
    public boolean readingPaused() {
        // Closing too: a pair that ends reads nothing more, whatever would turn reading back on.
        return paused || closing;
    }

    /** A new limit for each direction, in bytes per second; 0 for none. */
    void rateLimit(long bytesPerSecond) {
        if (!closing) {
            fromClient.rateLimit(bytesPerSecond);
            fromUpstream.rateLimit(bytesPerSecond);
        }
    }

    /**
     * Ends the pair cleanly at an operator's request: nothing more is read, and each side gets a
     * FIN once everything read for it is written (the empty write completes after all before
     * it). A side that has not taken its bytes within {@code deadline} is reset instead, as is a
     * pair whose upstream is not connected yet (nothing the client sent has reached anyone: a FIN
     * would read as an empty answer).
     */
    void closeByOperator(Duration deadline) {
        if (closing) {
            return;
        }
        if (lease == null) {
            cut(new ProxyClosedConnectionException(ProxyClosedConnectionException.Reason.RESET_BY_OPERATOR, null));
            return;
        }
        LOGGER.debug("{}: closed through its handle", info);
        beginClosing(new ProxyClosedConnectionException(ProxyClosedConnectionException.Reason.CLOSED_BY_OPERATOR, null),
                Termination.CLOSED_BY_OPERATOR);
        fromClient.holdReads();
        fromUpstream.holdReads();
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        eventLoop().schedule(() -> cut(new ProxyClosedConnectionException(
                ProxyClosedConnectionException.Reason.CLOSE_DEADLINE, deadline)), deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Cuts the pair at an operator's request: each side gets what was read for it, then a reset. */
    void resetByOperator() {
        cut(new ProxyClosedConnectionException(ProxyClosedConnectionException.Reason.RESET_BY_OPERATOR, null));
    }

    void notifyListener(String event, Consumer<ProxyListener> call) {
        try {
            call.accept(config().listener());
        } catch (RuntimeException e) {
            // The listener contract says "must not throw"; one that does must not break the relay.
            LOGGER.warn("{}: ProxyListener.{} threw; ignored", info, event, e);
        }
    }
}
