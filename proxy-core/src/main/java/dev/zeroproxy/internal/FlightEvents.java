package dev.zeroproxy.internal;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.TcpInfo;
import dev.zeroproxy.Transport;
import dev.zeroproxy.upstream.ServerStateChange;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The proxy's JDK Flight Recorder events, and the one place that records them. Each recording
 * method checks first whether its event is enabled in a running recording and does nothing
 * else when it is not: no event object, no string, no system call.
 *
 * <p>The per-connection events are off by default (a plain {@code -XX:StartFlightRecording}
 * does not fill up with them); the forwarder's {@code zeroproxy.jfc} turns them on.
 * {@code ServerStateChange} is on by default: it is rare and always worth having.
 */
public final class FlightEvents {
    private FlightEvents() { }


    /** A client connection was accepted. */
    @Name("dev.zeroproxy.ConnectionOpened")
    @Label("Connection Opened")
    @Category("ZeroProxy")
    @Description("A client connection was accepted; its upstream connect starts")
    @Enabled(false)
    @StackTrace(false)
    static final class ConnectionOpened extends Event {
        @Label("Connection Id")
        long id;
        @Label("Client")
        @Description("The socket peer")
        String client;
        @Label("Original Client")
        @Description("The client a PROXY protocol header named, if one was accepted")
        String originalClient;
        @Label("Listener")
        String listener;
    }

    /** One upstream connect attempt, from its start to its outcome. */
    @Name("dev.zeroproxy.UpstreamConnect")
    @Label("Upstream Connect")
    @Category("ZeroProxy")
    @Description("One connect attempt to an upstream server")
    @Enabled(false)
    @StackTrace(false)
    static final class UpstreamConnect extends Event {
        @Label("Connection Id")
        long id;
        @Label("Attempt")
        int attempt;
        @Label("Server Address")
        String address;
        @Label("Backend")
        String backend;
        @Label("Server")
        String server;
        @Label("Outcome")
        @Description("connected, failed, or cancelled (the proxy closed the connection meanwhile)")
        String outcome;
        @Label("Error")
        String error;
    }

    /** A connection ended, with its figures and the kernel's TCP figures as it began to close. */
    @Name("dev.zeroproxy.ConnectionClosed")
    @Label("Connection Closed")
    @Category("ZeroProxy")
    @Description("A proxied connection ended: bytes each way, how it ended, and each socket's TCP_INFO where the transport reads it")
    @Enabled(false)
    @StackTrace(false)
    static final class ConnectionClosed extends Event {
        @Label("Connection Id")
        long id;
        @Label("Client")
        String client;
        @Label("Upstream")
        String upstream;
        @Label("Backend")
        String backend;
        @Label("Server")
        String server;
        @Label("Lifetime")
        @Timespan(Timespan.NANOSECONDS)
        long lifetime;
        @Label("Connect Time")
        @Timespan(Timespan.NANOSECONDS)
        long connectTime;
        @Label("Retries")
        int retries;
        @Label("Bytes From Client")
        @DataAmount
        long bytesFromClient;
        @Label("Bytes From Upstream")
        @DataAmount
        long bytesFromUpstream;
        @Label("Bytes Spliced")
        @DataAmount
        long bytesSpliced;
        @Label("Termination")
        String termination;
        @Label("Cause")
        String cause;
        @Label("Client RTT")
        @Timespan(Timespan.MICROSECONDS)
        long clientRtt;
        @Label("Client Retransmits")
        long clientRetransmits;
        @Label("Client Congestion Window")
        long clientCwnd;
        @Label("Upstream RTT")
        @Timespan(Timespan.MICROSECONDS)
        long upstreamRtt;
        @Label("Upstream Retransmits")
        long upstreamRetransmits;
        @Label("Upstream Congestion Window")
        long upstreamCwnd;
    }

    /** A server of an upstream group changed state. */
    @Name("dev.zeroproxy.ServerStateChange")
    @Label("Server State Change")
    @Category("ZeroProxy")
    @StackTrace(false)
    static final class ServerStateChanged extends Event {
        @Label("Group")
        String group;
        @Label("Server")
        String server;
        @Label("Address")
        String address;
        @Label("From")
        String from;
        @Label("To")
        String to;
        @Label("Reason")
        String reason;
    }

    /** A direction of an AUTO connection switched from copying to kernel splice. */
    @Name("dev.zeroproxy.SpliceSwitch")
    @Label("Splice Switch")
    @Category("ZeroProxy")
    @Enabled(false)
    @StackTrace(false)
    static final class SpliceSwitch extends Event {
        @Label("Connection Id")
        long id;
        @Label("Direction")
        String direction;
        @Label("Bytes Copied Before")
        @DataAmount
        long bytesCopied;
    }

    /** A copying direction stopped reading because its sink was full, until it drained. */
    @Name("dev.zeroproxy.Backpressure")
    @Label("Backpressure")
    @Category("ZeroProxy")
    @Description("A direction stopped reading because its sink did not take the bytes; recorded when it lasted over the threshold")
    @Enabled(false)
    @Threshold("20 ms")
    @StackTrace(false)
    static final class Backpressure extends Event {
        @Label("Connection Id")
        long id;
        @Label("Direction")
        String direction;
        @Label("Bytes Queued")
        @DataAmount
        long queued;
    }

    // One instance each, only to ask whether the event is enabled (isEnabled reads the event
    // type's current setting; the instance itself is never committed).
    private static final ConnectionOpened OPENED = new ConnectionOpened();
    private static final UpstreamConnect CONNECT = new UpstreamConnect();
    private static final ConnectionClosed CLOSED = new ConnectionClosed();
    private static final ServerStateChanged STATE = new ServerStateChanged();
    private static final SpliceSwitch SPLICE = new SpliceSwitch();
    private static final Backpressure BACKPRESSURE = new Backpressure();

    static void connectionOpened(ConnectionInfo info, InetSocketAddress listener) {
        if (!OPENED.isEnabled()) {
            return;
        }
        ConnectionOpened event = new ConnectionOpened();
        event.id = info.id();
        event.client = format(info.client());
        event.originalClient = info.originalClient() == info.client() ? null : format(info.originalClient());
        event.listener = format(listener);
        event.commit();
    }

    /** The start of an attempt, or null when its event is not recorded. */
    static Object attemptStarted() {
        if (!CONNECT.isEnabled()) {
            return null;
        }
        UpstreamConnect event = new UpstreamConnect();
        event.begin();
        return event;
    }

    /** The outcome of the attempt {@code started} (from {@link #attemptStarted}; nothing when null). */
    static void attemptEnded(Object started, ConnectionInfo info, int attempt, Throwable error, boolean cancelled) {
        if (!(started instanceof UpstreamConnect event)) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.id = info.id();
            event.attempt = attempt;
            event.address = format(info.upstream());
            event.backend = info.backend();
            event.server = info.server();
            event.outcome = error == null ? "connected" : cancelled ? "cancelled" : "failed";
            event.error = error == null ? null : error.toString();
            event.commit();
        }
    }

    /**
     * The start of a close: the kernel's figures of both sockets while they are still open, or
     * null when the event is not recorded.
     */
    static Object closing(Transport transport, Channel client, Channel upstream) {
        if (!CLOSED.isEnabled()) {
            return null;
        }
        ConnectionClosed event = new ConnectionClosed();
        TcpInfo clientTcp = TcpInfos.read(transport, client);
        if (clientTcp != null) {
            event.clientRtt = clientTcp.rtt().toNanos() / 1000;
            event.clientRetransmits = clientTcp.retransmits();
            event.clientCwnd = clientTcp.congestionWindow();
        }
        TcpInfo upstreamTcp = upstream == null ? null : TcpInfos.read(transport, upstream);
        if (upstreamTcp != null) {
            event.upstreamRtt = upstreamTcp.rtt().toNanos() / 1000;
            event.upstreamRetransmits = upstreamTcp.retransmits();
            event.upstreamCwnd = upstreamTcp.congestionWindow();
        }
        return event;
    }

    /** The end of a close started by {@link #closing} (nothing when that returned null). */
    static void connectionClosed(Object closing, ConnectionInfo info, ConnectionSummary summary) {
        if (!(closing instanceof ConnectionClosed event) || !event.shouldCommit()) {
            return;
        }
        event.id = info.id();
        event.client = format(info.originalClient());
        event.upstream = info.upstream() == null ? null : format(info.upstream());
        event.backend = info.backend();
        event.server = info.server();
        event.lifetime = summary.duration().toNanos();
        event.connectTime = summary.connectTime() == null ? -1 : summary.connectTime().toNanos();
        event.retries = summary.retries();
        event.bytesFromClient = summary.bytesFromClient();
        event.bytesFromUpstream = summary.bytesFromUpstream();
        event.bytesSpliced = summary.bytesSpliced();
        event.termination = summary.termination().name();
        event.cause = summary.cause() == null ? null : summary.cause().toString();
        event.commit();
    }

    /** A server's state changed; public for the upstream package, which reports it. */
    public static void serverStateChanged(ServerStateChange change) {
        if (!STATE.isEnabled()) {
            return;
        }
        ServerStateChanged event = new ServerStateChanged();
        event.group = change.group();
        event.server = change.server();
        event.address = format(change.address());
        event.from = change.from().name();
        event.to = change.to().name();
        event.reason = change.reason();
        event.commit();
    }

    static void spliceSwitch(long connectionId, Direction direction, long bytesCopied) {
        if (!SPLICE.isEnabled()) {
            return;
        }
        SpliceSwitch event = new SpliceSwitch();
        event.id = connectionId;
        event.direction = direction.name();
        event.bytesCopied = bytesCopied;
        event.commit();
    }

    /** A direction stopped reading for its sink: the event's start, or null when not recorded. */
    static Object backpressureStarted() {
        if (!BACKPRESSURE.isEnabled()) {
            return null;
        }
        Backpressure event = new Backpressure();
        event.begin();
        return event;
    }

    /** The direction reads again; recorded if the pause lasted over the event's threshold. */
    static void backpressureEnded(Object started, long connectionId, Direction direction, long queued) {
        if (!(started instanceof Backpressure event)) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.id = connectionId;
            event.direction = direction.name();
            event.queued = queued;
            event.commit();
        }
    }

    private static String format(InetSocketAddress address) {
        return address == null ? null : address.getHostString() + ":" + address.getPort();
    }
}
