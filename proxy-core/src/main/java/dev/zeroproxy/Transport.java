package dev.zeroproxy;

import dev.zeroproxy.internal.NioTransport;
import dev.zeroproxy.internal.TransportRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The I/O engine a proxy runs on: NIO (built in, everywhere), epoll ({@code proxy-epoll}) or
 * io_uring ({@code proxy-iouring}).
 *
 * <p>Users pick one with {@link #best()}, {@link #named(String)} or {@link #nio()}. A transport
 * module adds itself by being on the classpath: implementations are found with
 * {@link java.util.ServiceLoader} under {@code META-INF/services/dev.zeroproxy.Transport}, so a
 * missing native library is an {@link #unavailabilityCause()}, never a
 * {@code NoClassDefFoundError} at the caller.
 *
 * <p>The methods under "SPI" are for transport implementations and the engine; they expose
 * Netty types and carry no compatibility promise. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * Transport t = Transport.best(Forwarding.SPLICE);   // epoll when proxy-epoll is on the classpath
 * if (!t.isAvailable()) log.warn("no splice here", t.unavailabilityCause());
 * }</pre>
 */
public abstract class Transport {

    /** For subclasses, which {@link java.util.ServiceLoader} instantiates. */
    protected Transport() { }

    /** The short name used on command lines and in logs: {@code nio}, {@code epoll}, {@code io_uring}. */
    public abstract String name();

    /** Whether this transport can run on this machine (OS, kernel, native library). */
    public abstract boolean isAvailable();

    /** Why this transport cannot run here, or {@code null} when it {@linkplain #isAvailable() can}. */
    public abstract Throwable unavailabilityCause();

    /**
     * Whether this transport can forward in {@code mode}: {@link Forwarding#COPY} and
     * {@link Forwarding#BEST} (which becomes COPY where nothing better is possible) always,
     * SPLICE and AUTO when it has a {@link #splicer()}.
     */
    public final boolean supports(Forwarding mode) {
        return mode == Forwarding.COPY || mode == Forwarding.BEST || splicer() != null;
    }

    /**
     * Rank used by {@link #best(Forwarding)}: among the available transports that support the
     * requested mode, the lowest rank wins.
     */
    public abstract int rank();

    // ---- SPI ----

    /** SPI: a new event loop group of {@code threads} loops for this transport. */
    public abstract EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory);

    /** SPI: creates the listening channels. */
    public abstract ChannelFactory<? extends ServerChannel> serverChannelFactory();

    /** SPI: creates the upstream (client-side) channels. */
    public abstract ChannelFactory<? extends Channel> socketChannelFactory();

    /**
     * SPI: called for every relayed channel, client side and upstream side, right after it is
     * created and before it is registered with its event loop, so that whatever it sets up goes
     * into the registration. It runs on the thread that creates the channel (an event loop) and
     * must not start I/O. The default does nothing; a transport uses it to work around what its
     * channels need.
     */
    public void prepareChannel(Channel channel) {
    }

    /**
     * SPI: {@link #prepareChannel}, for a relayed channel that may read from its registration on
     * ({@link Forwarding#COPY}, or {@link Forwarding#AUTO} while it copies first): the relay
     * holds whatever such a channel reads before the pair is started, in order, and forwards it
     * then. A transport whose registration can carry the read interest puts it there (epoll:
     * {@code EPOLLIN} in the {@code EPOLL_CTL_ADD}), which saves the interest change that
     * turning {@code AUTO_READ} on at the start would cost. {@code AUTO_READ} stays off until the
     * start, so if bytes come earlier Netty reads one buffer per read the relay asks for (one or
     * two) and then turns the interest off. Called with {@code AUTO_READ} already off. The default is {@link #prepareChannel}.
     */
    public void prepareReadingChannel(Channel channel) {
        prepareChannel(channel);
    }

    /**
     * SPI: the Netty channel option (with its value converted) that carries {@code option} on
     * this transport, or {@code null} if this transport cannot apply it. This base class maps the
     * options every transport has; subclasses add theirs and defer to it for the rest.
     */
    public NettyOption channelOption(TcpOption<?> option, Object value) {
        if (option == TcpOption.TCP_NODELAY) {
            return new NettyOption(ChannelOption.TCP_NODELAY, value);
        } else if (option == TcpOption.SO_KEEPALIVE) {
            return new NettyOption(ChannelOption.SO_KEEPALIVE, value);
        } else if (option == TcpOption.SO_RCVBUF) {
            return new NettyOption(ChannelOption.SO_RCVBUF, value);
        } else if (option == TcpOption.SO_SNDBUF) {
            return new NettyOption(ChannelOption.SO_SNDBUF, value);
        }
        return null;
    }

    /**
     * SPI: the option that sets {@code IP_BIND_ADDRESS_NO_PORT} on an upstream channel, or
     * {@code null} (the default) when this transport cannot set it. The proxy sets it on every
     * upstream channel when a {@link dev.zeroproxy.edge.SourcePool} is configured: the channel
     * binds its source address with port 0 before connecting, and with the option the kernel
     * defers the port to {@code connect()}, which picks one unique for the whole 4-tuple, so each
     * source address has the full ephemeral range towards each server. Without it (the
     * fallback) {@code bind()} picks the port from the source address alone, and one address's
     * range is shared by the connections to all servers.
     */
    public NettyOption bindAddressNoPort() {
        return null;
    }

    /**
     * SPI: the kernel's TCP figures for {@code channel} (Linux {@code TCP_INFO}), or {@code null}
     * (the default) when this transport cannot read them. Called on the channel's event loop,
     * with the channel active.
     */
    public TcpInfo tcpInfo(Channel channel) {
        return null;
    }

    /**
     * SPI: half-closes {@code channel}: shuts its output, so its peer reads EOF, and leaves its
     * input open. Called on the channel's event loop by a relay direction once the channel has
     * written its last byte (from that write's listener: if the write completed during a later
     * flush, Netty still counts it as pending until its listeners have run). The default is
     * Netty's {@code shutdownOutput()}; a transport may shut the socket more cheaply when it can
     * tell nothing is queued, as long as the channel then reports {@code isOutputShutdown()} as
     * Netty's would, and must take Netty's path otherwise.
     */
    public ChannelFuture shutdownOutput(DuplexChannel channel) {
        return channel.shutdownOutput();
    }

    /**
     * SPI: a Netty channel option and the value to give it.
     *
     * @param option the Netty option
     * @param value its value, already of the option's type
     */
    public record NettyOption(ChannelOption<?> option, Object value) { }

    /**
     * SPI: this transport's kernel splice, or {@code null} (the default) when it cannot splice;
     * {@link #supports} follows from it.
     */
    public Splicer splicer() {
        return null;
    }

    /**
     * SPI: moves one direction's bytes socket to pipe to socket inside the kernel. Called only on
     * the event loop both channels share.
     */
    public interface Splicer {
        /**
         * From now on, everything {@code source} reads goes to {@code sink} by splice, queued
         * behind whatever was written to {@code sink} before. Reads of {@code source} must be
         * off when this is called, or it must be called from inside a read of {@code source};
         * the caller turns reads on afterwards. The pipe into {@code sink} is made by
         * {@link #preparePipe}, which the caller invokes before the first splice pass.
         *
         * @return completes only if splicing fails (for example when a channel closes)
         */
        ChannelFuture start(Channel source, Channel sink);

        /**
         * Creates the pipe into {@code sink} with about {@code pipeSize} bytes of capacity,
         * unless it has one. Called right before the first splice pass into {@code sink}, so a
         * spliced connection that has not carried a byte holds no pipe (two descriptors, not
         * six). A transport that cannot size pipes, or is refused, leaves the system default to
         * be made by the first pass and says so in its log.
         */
        default void preparePipe(Channel sink, int pipeSize) {
        }

        /**
         * After {@code source}'s end of stream, reads one buffer of what is still queued in its
         * socket and passes it to {@code out}, which takes ownership. Splice can leave bytes
         * behind when the FIN arrives (see docs/architecture.md); TCP delivers the FIN after all
         * data, so what is queued then is the rest of the stream. The caller repeats while its
         * sink has room, so the tail costs no more memory than the write-buffer water mark.
         *
         * @return the bytes read, or -1 once the whole stream has been read
         */
        int drainAfterEndOfStream(Channel source, Consumer<ByteBuf> out) throws IOException;

        /**
         * Before {@code sink} is reset because its source failed: moves what is still in the
         * pipe into {@code sink} to its socket, as much as the socket takes now, so that what was
         * read before the failure is delivered ahead of the reset. The caller has flushed
         * everything else queued for {@code sink} first, so nothing is reordered. The default,
         * for a splice that cannot strand bytes, does nothing.
         *
         * @return the bytes moved
         */
        default int salvage(Channel sink) throws IOException {
            return 0;
        }
    }

    // ---- choosing ----

    /** The portable NIO transport, available on every JVM. */
    public static Transport nio() {
        return NioTransport.INSTANCE;
    }

    /** Every transport on the classpath, available or not, best first. */
    public static List<Transport> all() {
        return TransportRegistry.all();
    }

    /** The best available transport for {@link Forwarding#COPY}. */
    public static Transport best() {
        return best(Forwarding.COPY);
    }

    /**
     * The best available transport that supports {@code mode}.
     *
     * @throws IllegalStateException if no transport on the classpath can do {@code mode} here; the
     *     message names the transports that could and why they are unavailable
     */
    public static Transport best(Forwarding mode) {
        Objects.requireNonNull(mode, "mode");
        if (mode == Forwarding.BEST) {
            boolean canSplice = all().stream().anyMatch(t -> t.isAvailable() && t.supports(Forwarding.AUTO));
            return TransportRegistry.best(canSplice ? Forwarding.AUTO : Forwarding.COPY);
        }
        return TransportRegistry.best(mode);
    }

    /**
     * The transport called {@code name} ({@code nio}, {@code epoll}, {@code io_uring}), available
     * or not: check {@link #isAvailable()}.
     *
     * @throws IllegalArgumentException if no transport of that name is on the classpath; the
     *     message lists the known names
     */
    public static Transport named(String name) {
        Objects.requireNonNull(name, "name");
        return TransportRegistry.named(name);
    }

    @Override
    public String toString() {
        return name();
    }
}
