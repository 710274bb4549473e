package dev.zeroproxy;

import java.time.Duration;

/**
 * The kernel's own figures for one TCP socket ({@code getsockopt(TCP_INFO)} on Linux), as a
 * {@link ConnectionSnapshot} reports them for each side of a connection. Only transports that
 * can read them give them (epoll); elsewhere a snapshot has none.
 *
 * @param rtt the smoothed round-trip time
 * @param rttVariance its mean deviation
 * @param retransmits segments retransmitted over the socket's life ({@code tcpi_total_retrans})
 * @param lost segments the kernel thinks lost now ({@code tcpi_lost})
 * @param unacked segments sent and not yet acknowledged ({@code tcpi_unacked})
 * @param congestionWindow the send congestion window, in segments ({@code tcpi_snd_cwnd})
 * @param sendMss the sender's maximum segment size, in bytes
 */
public record TcpInfo(Duration rtt, Duration rttVariance, long retransmits, long lost, long unacked,
        long congestionWindow, long sendMss) {
}
