package dev.zeroproxy.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A {@code server NAME ADDR:PORT [options]} line, {@code default-server} applied; each
 * {@code Located} option null when not written.
 *
 * @param name the server's name, unique in its backend
 * @param where where the line starts
 * @param address where it listens, resolved
 * @param weight {@code weight N}
 * @param check {@code check}: actively checked (a server without it is taken as up)
 * @param inter {@code inter TIME}: between checks
 * @param rise {@code rise N}
 * @param fall {@code fall N}
 * @param maxConn {@code maxconn N}
 * @param backup {@code backup}
 * @param sendProxy 0 without a PROXY header, 1 for {@code send-proxy}, 2 for {@code send-proxy-v2}
 * @param source {@code source ADDR}
 */
public record ServerLine(String name, SourcePosition where, InetSocketAddress address, Located<Integer> weight,
        boolean check, Located<Duration> inter, Located<Integer> rise, Located<Integer> fall, Located<Integer> maxConn,
        boolean backup, int sendProxy, Located<InetAddress> source) { }
