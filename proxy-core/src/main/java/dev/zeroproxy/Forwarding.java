package dev.zeroproxy;

/**
 * How a proxy moves bytes from one socket to the other.
 *
 * <p>Every mode is byte-exact under half-close, resets and slow readers; they differ only in
 * where the bytes travel. {@link Transport#supports(Forwarding)} says which modes a transport
 * can do; asking {@link ProxyBuilder#start()} for one it cannot do fails with a message naming
 * a transport that can.
 */
public enum Forwarding {
    /**
     * The pooled direct {@code ByteBuf} read from one socket is written to the other as is:
     * one kernel-to-user and one user-to-kernel copy, never a copy inside the JVM and never
     * on the heap. Every transport supports it.
     */
    COPY,
    /**
     * Kernel {@code splice()}: socket to pipe to socket, no payload byte in user space.
     * Needs the epoll transport ({@code proxy-epoll} on the classpath, Linux).
     */
    SPLICE,
    /**
     * Starts each direction with {@link #COPY} and switches it to {@link #SPLICE} once it is a
     * bulk transfer: it has copied at least the splice threshold ({@link
     * ProxyBuilder#spliceThreshold(long)}) <em>and</em> its last read took at least 16 KiB, that
     * is, the sender had that much queued ahead of the proxy. Short connections, and long-lived
     * ones that exchange small messages (request/response, pipelined requests, ping-pong),
     * however many bytes they carry in all, stay on copy, where a read and a write per message
     * cost fewer system calls than a splice pass; bulk transfers leave user space within a few
     * reads of the threshold. Like HAProxy's {@code splice-auto}, which splices only once reads
     * fill its buffer. The switch is one way: a spliced direction stays spliced.
     */
    AUTO,
    /**
     * The best the chosen transport can do: {@link #AUTO} where it can splice, {@link #COPY}
     * elsewhere, so that one configuration splices on Linux with {@code proxy-epoll} on the
     * classpath and still runs everywhere else. The default. {@link ProxyConfig#forwarding()}
     * says what it became; its {@code toString()} shows both, and the proxy logs one line when
     * it had to fall back to copying.
     */
    BEST
}
