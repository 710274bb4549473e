package dev.zeroproxy;

import java.time.Duration;
import java.util.Optional;

/**
 * One live connection at one moment, taken on its event loop by
 * {@link ConnectionHandle#snapshot()}: every figure from the same instant.
 *
 * @param connection the connection (its upstream set once connected)
 * @param age time since the accept
 * @param state where it is in its life
 * @param bytesFromClient bytes read from the client so far
 * @param bytesFromUpstream bytes read from the upstream so far
 * @param bytesSpliced of those, the bytes moved by kernel {@code splice()}
 * @param paused whether it is paused by {@link ConnectionHandle#pause()}
 * @param rateLimit its rate limit in bytes per second each way, 0 for none
 * @param clientTcp the kernel's figures for the client's socket, where the transport reads them
 * @param upstreamTcp the kernel's figures for the upstream socket, where the transport reads
 *     them and the upstream is connected
 */
public record ConnectionSnapshot(ConnectionInfo connection, Duration age, ConnectionState state,
        long bytesFromClient, long bytesFromUpstream, long bytesSpliced, boolean paused, long rateLimit,
        Optional<TcpInfo> clientTcp, Optional<TcpInfo> upstreamTcp) {

    /** The share of the bytes that moved by kernel {@code splice()}, from 0 to 1; 0 before any byte. */
    public double splicedShare() {
        long total = bytesFromClient + bytesFromUpstream;
        return total == 0 ? 0 : (double) bytesSpliced / total;
    }
}
