package dev.zeroproxy.config;

import dev.zeroproxy.upstream.Balance;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * A {@code backend} (or the backend half of a {@code listen}), defaults applied; each
 * {@code Located} setting null when not written.
 *
 * @param name the section's name
 * @param where where the section's header line starts
 * @param balance {@code balance roundrobin|leastconn|source|random}
 * @param retries {@code retries}
 * @param redispatch {@code option redispatch} (true) or {@code no option redispatch} (false)
 * @param timeoutConnect {@code timeout connect}
 * @param timeoutServer {@code timeout server}
 * @param timeoutServerFin {@code timeout server-fin}
 * @param timeoutTunnel {@code timeout tunnel}
 * @param timeoutQueue {@code timeout queue}
 * @param timeoutCheck {@code timeout check}
 * @param source {@code source ADDR}: the address the backend's connections leave from
 * @param servers its servers, at least one, {@code default-server} applied
 */
public record BackendSection(String name, SourcePosition where, Located<Balance> balance, Located<Integer> retries,
        Located<Boolean> redispatch, Located<Duration> timeoutConnect, Located<Duration> timeoutServer,
        Located<Duration> timeoutServerFin, Located<Duration> timeoutTunnel, Located<Duration> timeoutQueue,
        Located<Duration> timeoutCheck, Located<InetAddress> source, List<ServerLine> servers) {
    /** Copies the list. */
    public BackendSection {
        servers = List.copyOf(servers);
    }
}
