package dev.zeroproxy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed TCP socket option a proxy can set on its sockets, with its validation.
 *
 * <p>{@link Scope#LISTENER} options go on the listening socket(s); {@link Scope#CONNECTION}
 * options on every relayed socket, the accepted client side and the upstream side alike. Set
 * them with {@link ProxyBuilder#socketOption(TcpOption, Object)}; an option the chosen transport
 * cannot apply fails {@link ProxyBuilder#start()} with the transports that can. Unset options
 * keep the operating system's default, except {@link #TCP_NODELAY}, on (Netty's default, kept by
 * the proxy), and {@link #SO_REUSEPORT}, on where the transport has it and there are several
 * event loops.
 *
 * <pre>{@code
 * Proxy.builder()
 *     .socketOption(TcpOption.SO_KEEPALIVE, true)
 *     .socketOption(TcpOption.TCP_KEEPIDLE, Duration.ofMinutes(5))
 *     .socketOption(TcpOption.SO_REUSEPORT, false)      // keep the port exclusive (default on: epoll, io_uring)
 * }</pre>
 *
 * @param <T> the value type
 */
public final class TcpOption<T> {

    /** Where an option applies. */
    public enum Scope {
        /** The listening socket(s). */
        LISTENER,
        /** Every relayed socket: client side and upstream side. */
        CONNECTION
    }

    /** Disable Nagle's algorithm. Default on: relayed bytes must not wait. All transports. */
    public static final TcpOption<Boolean> TCP_NODELAY = flag("TCP_NODELAY", Scope.CONNECTION);
    /** Send TCP keep-alive probes on idle connections. Default off. All transports. */
    public static final TcpOption<Boolean> SO_KEEPALIVE = flag("SO_KEEPALIVE", Scope.CONNECTION);
    /** Kernel receive buffer, bytes (the kernel doubles it). Default: the kernel's autotuning. All transports. */
    public static final TcpOption<Integer> SO_RCVBUF = positive("SO_RCVBUF", Scope.CONNECTION);
    /** Kernel send buffer, bytes (the kernel doubles it). Default: the kernel's autotuning. All transports. */
    public static final TcpOption<Integer> SO_SNDBUF = positive("SO_SNDBUF", Scope.CONNECTION);
    /**
     * Hold partial segments until uncorked or 200 ms pass. Default off. Caveat: on a relay it
     * delays small writes (request/response traffic) by up to 200 ms. epoll and io_uring.
     */
    public static final TcpOption<Boolean> TCP_CORK = flag("TCP_CORK", Scope.CONNECTION);
    /** Acknowledge at once instead of delaying ACKs. Default off; the kernel may clear it again. epoll and io_uring. */
    public static final TcpOption<Boolean> TCP_QUICKACK = flag("TCP_QUICKACK", Scope.CONNECTION);
    /** Idle time before the first keep-alive probe, whole seconds (>= 1 s). Default: the kernel's (2 h). epoll and io_uring. */
    public static final TcpOption<Duration> TCP_KEEPIDLE = seconds("TCP_KEEPIDLE", Scope.CONNECTION, 1);
    /** Time between keep-alive probes, whole seconds (>= 1 s). Default: the kernel's (75 s). epoll and io_uring. */
    public static final TcpOption<Duration> TCP_KEEPINTVL = seconds("TCP_KEEPINTVL", Scope.CONNECTION, 1);
    /** Unanswered keep-alive probes before the connection is dropped (>= 1). Default: the kernel's (9). epoll and io_uring. */
    public static final TcpOption<Integer> TCP_KEEPCNT = positive("TCP_KEEPCNT", Scope.CONNECTION);
    /**
     * How long sent data may stay unacknowledged before the connection is dropped, milliseconds;
     * zero keeps the kernel's default. epoll and io_uring.
     */
    public static final TcpOption<Duration> TCP_USER_TIMEOUT = new TcpOption<>("TCP_USER_TIMEOUT", Duration.class,
            Scope.CONNECTION, d -> d.isNegative() || d.toMillis() > Integer.MAX_VALUE
                    ? "expected: 0.." + Integer.MAX_VALUE + " ms" : null);
    /**
     * Wake the accept only once the client has sent data, waiting at most this long (whole
     * seconds; zero: off). Default off. Caveat: wrong for protocols where the server speaks
     * first (SMTP, MySQL, PostgreSQL's SSL probe excepted): such clients wait for a greeting the
     * proxy never sees them for. epoll and io_uring.
     */
    public static final TcpOption<Duration> TCP_DEFER_ACCEPT = seconds("TCP_DEFER_ACCEPT", Scope.LISTENER, 0);
    /**
     * Accept TCP Fast Open with this pending-request queue length (0: off). Default off. Caveat:
     * the kernel honours it only if {@code net.ipv4.tcp_fastopen} has its server bit (2) set;
     * Debian's default, 1, enables client-side Fast Open only. epoll and io_uring.
     */
    public static final TcpOption<Integer> TCP_FASTOPEN = new TcpOption<>("TCP_FASTOPEN", Integer.class,
            Scope.LISTENER, n -> n < 0 ? "expected: >= 0" : null);
    /**
     * One listening socket per event loop, each accepting onto its own loop, so the kernel
     * spreads accepts over the cores and no loop hands a connection to another: it saves a
     * hand-off between threads per new connection (docs/benchmarks.md).
     *
     * <ul>
     *   <li>Not set (the default): used wherever the transport has it (epoll and io_uring;
     *       HAProxy does the same) and the proxy has more than one event loop, but the port stays
     *       exclusive: if anything listens on the address already (another proxy included), the
     *       start fails with "address in use", as a plain bind would. Caveat: once the proxy
     *       listens, a program of the same user that sets SO_REUSEPORT itself can still join the
     *       port; the kernel allows that to any socket of the same user.
     *   <li>{@code true}: sharing is wanted (e.g. a new instance joining an old one for a
     *       restart): the proxy binds even where others of the same user listen with
     *       SO_REUSEPORT, and they can join it.
     *   <li>{@code false}: one listener, accepted connections handed round the loops; no other
     *       socket can join the port at all.
     * </ul>
     */
    public static final TcpOption<Boolean> SO_REUSEPORT = flag("SO_REUSEPORT", Scope.LISTENER);

    /** Every option, in declaration order. */
    public static final List<TcpOption<?>> ALL = List.of(TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, TCP_CORK,
            TCP_QUICKACK, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, TCP_DEFER_ACCEPT, TCP_FASTOPEN,
            SO_REUSEPORT);

    private final String name;
    private final Class<T> type;
    private final Scope scope;
    private final Function<T, String> problem;

    private TcpOption(String name, Class<T> type, Scope scope, Function<T, String> problem) {
        this.name = name;
        this.type = type;
        this.scope = scope;
        this.problem = problem;
    }

    private static TcpOption<Boolean> flag(String name, Scope scope) {
        return new TcpOption<>(name, Boolean.class, scope, v -> null);
    }

    private static TcpOption<Integer> positive(String name, Scope scope) {
        return new TcpOption<>(name, Integer.class, scope, n -> n < 1 ? "expected: >= 1" : null);
    }

    private static TcpOption<Duration> seconds(String name, Scope scope, long minSeconds) {
        return new TcpOption<>(name, Duration.class, scope, d -> d.getSeconds() < minSeconds || d.getNano() != 0
                || d.getSeconds() > Integer.MAX_VALUE ? "expected: whole seconds, >= " + minSeconds + " s" : null);
    }

    /** The option's name, as in the kernel's headers. */
    public String name() {
        return name;
    }

    /** Where the option applies. */
    public Scope scope() {
        return scope;
    }

    /** The value type. */
    public Class<T> type() {
        return type;
    }

    /**
     * Checks {@code value} for this option.
     *
     * @throws IllegalArgumentException naming the option, the value and what was expected
     */
    T validate(Object value) {
        Objects.requireNonNull(value, name);
        if (!type.isInstance(value)) {
            throw new InvalidSettingException("socketOption " + name, value, "a " + type.getSimpleName());
        }
        T typed = type.cast(value);
        String why = problem.apply(typed);
        if (why != null) {
            throw new InvalidSettingException("socketOption " + name, value, why.replaceFirst("^expected: ", ""));
        }
        return typed;
    }

    @Override
    public String toString() {
        return name;
    }
}
