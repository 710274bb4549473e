package dev.zeroproxy.config;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.upstream.Balance;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The settings a {@code defaults} section passes on to the frontends, backends and listens after
 * it, each null until written. Mutable while a section is read: each section starts from a copy of
 * the last {@code defaults} section's (a new {@code defaults} section starts from nothing), and
 * its own lines overwrite them, the last line of a keyword winning as in HAProxy.
 */
final class ProxySettings {
    /** {@code mode tcp} or {@code mode http}; its position tells a section's own line from its defaults'. */
    Located<String> mode;
    Located<Integer> maxConn;
    Located<Duration> timeoutClient;
    Located<Duration> timeoutClientFin;
    Located<String> defaultBackend;
    /** A {@code default_backend} line was wrong: its absence is not another error. */
    boolean defaultBackendFailed;
    Located<Forwarding> forwarding;
    Located<Long> spliceThreshold;
    Located<Balance> balance;
    Located<Integer> retries;
    Located<Boolean> redispatch;
    Located<Duration> timeoutConnect;
    Located<Duration> timeoutServer;
    Located<Duration> timeoutServerFin;
    Located<Duration> timeoutTunnel;
    Located<Duration> timeoutQueue;
    Located<Duration> timeoutCheck;
    Located<InetAddress> source;
    ServerOptions defaultServer = new ServerOptions();

    ProxySettings copy() {
        ProxySettings copy = new ProxySettings();
        copy.mode = mode;
        copy.maxConn = maxConn;
        copy.timeoutClient = timeoutClient;
        copy.timeoutClientFin = timeoutClientFin;
        copy.defaultBackend = defaultBackend;
        copy.defaultBackendFailed = defaultBackendFailed;
        copy.forwarding = forwarding;
        copy.spliceThreshold = spliceThreshold;
        copy.balance = balance;
        copy.retries = retries;
        copy.redispatch = redispatch;
        copy.timeoutConnect = timeoutConnect;
        copy.timeoutServer = timeoutServer;
        copy.timeoutServerFin = timeoutServerFin;
        copy.timeoutTunnel = timeoutTunnel;
        copy.timeoutQueue = timeoutQueue;
        copy.timeoutCheck = timeoutCheck;
        copy.source = source;
        copy.defaultServer = defaultServer.copy();
        return copy;
    }
}
