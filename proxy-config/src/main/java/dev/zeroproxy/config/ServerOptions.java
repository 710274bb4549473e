package dev.zeroproxy.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The options of a {@code server} line, or those a {@code default-server} line gives every server
 * written after it. Mutable while a section is read; each server starts from a copy of its
 * section's defaults, which start from a copy of the {@code defaults} section's.
 */
final class ServerOptions {
    Located<Integer> weight;
    boolean check;
    Located<Duration> inter;
    Located<Integer> rise;
    Located<Integer> fall;
    Located<Integer> maxConn;
    boolean backup;
    int sendProxy;
    Located<InetAddress> source;

    ServerOptions copy() {
        ServerOptions copy = new ServerOptions();
        copy.weight = weight;
        copy.check = check;
        copy.inter = inter;
        copy.rise = rise;
        copy.fall = fall;
        copy.maxConn = maxConn;
        copy.backup = backup;
        copy.sendProxy = sendProxy;
        copy.source = source;
        return copy;
    }

    ServerLine toLine(String name, SourcePosition where, InetSocketAddress address) {
        return new ServerLine(name, where, address, weight, check, inter, rise, fall, maxConn, backup, sendProxy,
                source);
    }
}
