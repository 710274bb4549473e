package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyBindException;
import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.TcpOption;
import dev.zeroproxy.Transport;
import dev.zeroproxy.internal.ProxyServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The typed socket options reach the kernel: each one is read back from the proxy's own
 * sockets with getsockopt (the native transports' channel configs read the live socket, not a
 * cached value), not merely checked to have been passed to a setter. Written once; each native
 * transport module runs it, naming its transport and its Netty options.
 *
 * <p>Not read back: TCP_QUICKACK (the kernel clears and sets quick-ack mode by itself, so the
 * value read says nothing about the one set) and TCP_FASTOPEN (Netty answers from a cached
 * field, and the kernel has no other way to read it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SocketOptionsSuite {
    private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** The transport under test. */
    protected abstract Transport transport();

    /** Its Netty option for TCP_KEEPIDLE, read in seconds. */
    protected abstract ChannelOption<Integer> tcpKeepIdle();

    /** Its Netty option for TCP_KEEPINTVL, read in seconds. */
    protected abstract ChannelOption<Integer> tcpKeepIntvl();

    /** Its Netty option for TCP_KEEPCNT. */
    protected abstract ChannelOption<Integer> tcpKeepCnt();

    /** Its Netty option for TCP_USER_TIMEOUT, read in milliseconds. */
    protected abstract ChannelOption<Integer> tcpUserTimeout();

    /** Its Netty option for TCP_CORK. */
    protected abstract ChannelOption<Boolean> tcpCork();

    /** Its Netty option for SO_REUSEPORT on a listening channel. */
    protected abstract ChannelOption<Boolean> soReusePort();

    /** Its Netty option for TCP_DEFER_ACCEPT on a listening channel, read in seconds. */
    protected abstract ChannelOption<Integer> tcpDeferAccept();

    @BeforeEach
    void requireTransport() {
        TransportAssumptions.assumeAvailable(transport());
    }

    private ProxyBuilder builder(InetSocketAddress upstream) {
        return Proxy.builder().listen(LOOPBACK_ANY).upstream(upstream).transport(transport())
                .eventLoops(2).drainTimeout(Duration.ZERO);
    }

    @Test
    void connectionOptionsAreInTheKernelOnBothSides() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = builder(echo.address())
                        .socketOption(TcpOption.SO_KEEPALIVE, true)
                        .socketOption(TcpOption.TCP_KEEPIDLE, Duration.ofSeconds(77))
                        .socketOption(TcpOption.TCP_KEEPINTVL, Duration.ofSeconds(11))
                        .socketOption(TcpOption.TCP_KEEPCNT, 4)
                        .socketOption(TcpOption.TCP_USER_TIMEOUT, Duration.ofMillis(12_345))
                        .socketOption(TcpOption.TCP_CORK, true)
                        .socketOption(TcpOption.SO_RCVBUF, 96 * 1024)
                        .socketOption(TcpOption.SO_SNDBUF, 96 * 1024)
                        .start();
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5_000);
            String sent = Payload.write(client.getOutputStream(), 5, 1 << 20, 16 * 1024);
            assertEquals(sent, Payload.readExactly(client.getInputStream(), 1 << 20), "relay works with the options");

            List<Channel> channels = ((ProxyServer) proxy).connectionChannels();
            assertEquals(2, channels.size(), "client side and upstream side");
            for (Channel channel : channels) {
                assertEquals(true, channel.config().getOption(ChannelOption.TCP_NODELAY), channel + " TCP_NODELAY");
                assertEquals(true, channel.config().getOption(ChannelOption.SO_KEEPALIVE), channel + " SO_KEEPALIVE");
                assertEquals(77, channel.config().getOption(tcpKeepIdle()), channel + " TCP_KEEPIDLE");
                assertEquals(11, channel.config().getOption(tcpKeepIntvl()), channel + " TCP_KEEPINTVL");
                assertEquals(4, channel.config().getOption(tcpKeepCnt()), channel + " TCP_KEEPCNT");
                assertEquals(12_345, channel.config().getOption(tcpUserTimeout()),
                        channel + " TCP_USER_TIMEOUT");
                assertEquals(true, channel.config().getOption(tcpCork()), channel + " TCP_CORK");
                // The kernel doubles the requested size for its bookkeeping.
                assertEquals(2 * 96 * 1024, channel.config().getOption(ChannelOption.SO_RCVBUF), channel + " SO_RCVBUF");
                assertEquals(2 * 96 * 1024, channel.config().getOption(ChannelOption.SO_SNDBUF), channel + " SO_SNDBUF");
            }
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void nagleStaysOffUnlessAskedFor() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = builder(echo.address()).socketOption(TcpOption.TCP_NODELAY, false).start();
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5_000);
            client.getOutputStream().write(1);
            assertEquals(1, client.getInputStream().read());
            for (Channel channel : ((ProxyServer) proxy).connectionChannels()) {
                assertEquals(false, channel.config().getOption(ChannelOption.TCP_NODELAY), channel + " TCP_NODELAY");
            }
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void reusePortBindsOneListenerPerEventLoopAndSpreadsAccepts() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy proxy = builder(echo.address())
                        .socketOption(TcpOption.SO_REUSEPORT, true)
                        .socketOption(TcpOption.TCP_DEFER_ACCEPT, Duration.ofSeconds(3))
                        .start()) {
            List<Channel> listeners = ((ProxyServer) proxy).serverChannels();
            assertEquals(2, listeners.size(), "one listener per event loop");
            Set<Object> loops = new HashSet<>();
            for (Channel listener : listeners) {
                assertEquals(proxy.localAddress(), listener.localAddress());
                assertEquals(true, listener.config().getOption(soReusePort()), listener + " SO_REUSEPORT");
                int deferSeconds = listener.config().getOption(tcpDeferAccept());
                // The kernel stores a SYN-ACK retransmission count and reports it back in seconds, rounded up.
                assertTrue(deferSeconds >= 3, listener + " TCP_DEFER_ACCEPT " + deferSeconds);
                loops.add(listener.eventLoop());
            }
            assertEquals(2, loops.size(), "each listener on its own loop");

            // The kernel hashes each connection to one listener; over 32 connections both get some
            // (all on one of two has odds of 2^-31).
            Set<Object> acceptingLoops = new HashSet<>();
            for (int i = 0; i < 32; i++) {
                try (Socket client = new Socket()) {
                    client.connect(proxy.localAddress(), 5_000);
                    client.getOutputStream().write(i); // TCP_DEFER_ACCEPT: the accept waits for data
                    assertEquals(i, client.getInputStream().read());
                    for (Channel channel : ((ProxyServer) proxy).connectionChannels()) {
                        acceptingLoops.add(channel.eventLoop());
                    }
                    client.shutdownOutput();
                    assertEquals(-1, client.getInputStream().read());
                }
            }
            assertEquals(2, acceptingLoops.size(), "accepts spread over both loops");
        }
    }

    @Test
    void reusePortIsOnByDefaultWithSeveralLoopsAndCanBeTurnedOff() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy byDefault = builder(echo.address()).start();
                Proxy turnedOff = builder(echo.address()).socketOption(TcpOption.SO_REUSEPORT, false).start();
                Proxy oneLoop = builder(echo.address()).eventLoops(1).start()) {
            List<Channel> listeners = ((ProxyServer) byDefault).serverChannels();
            assertEquals(2, listeners.size(), "by default, one listener per event loop");
            for (Channel listener : listeners) {
                assertEquals(true, listener.config().getOption(soReusePort()), listener + " SO_REUSEPORT");
            }
            List<Channel> single = ((ProxyServer) turnedOff).serverChannels();
            assertEquals(1, single.size(), "SO_REUSEPORT false: one listener for all loops");
            assertEquals(false, single.get(0).config().getOption(soReusePort()), single.get(0) + " SO_REUSEPORT");
            List<Channel> oneLoopListeners = ((ProxyServer) oneLoop).serverChannels();
            assertEquals(1, oneLoopListeners.size(), "one event loop: one listener");
            assertEquals(false, oneLoopListeners.get(0).config().getOption(soReusePort()),
                    "one event loop: SO_REUSEPORT would bring its caveat without its gain");
            // Without SO_REUSEPORT on the first socket, the port is exclusive: nobody can join it.
            assertThrows(ProxyBindException.class,
                    () -> builder(echo.address()).listen(turnedOff.localAddress()).start().close());
            for (Proxy proxy : List.of(byDefault, turnedOff, oneLoop)) {
                try (Socket client = new Socket()) {
                    client.connect(proxy.localAddress(), 5_000);
                    String sent = Payload.write(client.getOutputStream(), 9, 64 * 1024, 8192);
                    client.shutdownOutput();
                    assertEquals(sent, Payload.readToEof(client.getInputStream(), 8192).sha256(), proxy + " relays");
                }
            }
        }
    }

    /**
     * A second proxy on a port the first one serves must fail, as it would without SO_REUSEPORT,
     * however many event loops either has; sharing is for those who ask (SO_REUSEPORT true).
     */
    @Test
    void aServedPortIsExclusiveUnlessSharingIsAskedFor() throws Exception {
        try (LoopbackServer echo = LoopbackServer.echo();
                Proxy first = builder(echo.address()).start()) {
            assertEquals(2, ((ProxyServer) first).serverChannels().size(), "one listener per loop by default");
            ProxyBindException refused = assertThrows(ProxyBindException.class,
                    () -> builder(echo.address()).listen(first.localAddress()).start().close());
            assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
            try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                assertThrows(ProxyBindException.class, () -> builder(echo.address())
                        .listen((InetSocketAddress) other.getLocalSocketAddress()).start().close(),
                        "a port another program listens on");
            }
            try (Proxy sharing = builder(echo.address()).listen(first.localAddress())
                    .socketOption(TcpOption.SO_REUSEPORT, true).start()) {
                assertEquals(first.localAddress(), sharing.localAddress(), "asked for, sharing works");
            }
        }
    }

    @Test
    void optionsNioCannotApplyAreRefusedAtStartNamingThisTransport() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(LOOPBACK_ANY).transport(Transport.nio()).socketOption(TcpOption.TCP_CORK, true).build());
        assertTrue(e.getMessage().startsWith("socketOption TCP_CORK: not supported by transport nio (expected: transport "),
                e.getMessage());
        assertTrue(e.getMessage().contains(transport().name()), e.getMessage());
    }

    @Test
    void badValuesNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(LOOPBACK_ANY).socketOption(TcpOption.TCP_KEEPIDLE, Duration.ofMillis(1500)).build());
        assertEquals("socketOption TCP_KEEPIDLE: PT1.5S (expected: whole seconds, >= 1 s)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> builder(LOOPBACK_ANY).socketOption(TcpOption.SO_RCVBUF, 0).build());
        assertEquals("socketOption SO_RCVBUF: 0 (expected: >= 1)", e.getMessage());
    }
}
