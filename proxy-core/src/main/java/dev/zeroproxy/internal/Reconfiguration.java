package dev.zeroproxy.internal;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyConfig;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@code Proxy.reconfigure} may change: everything a connection takes at its accept (the
 * upstream, the timeouts, the edge checks, the limits, the listener), but not what the listening
 * sockets and the accepted channels were set up with once, at the start (the address, the
 * transport and loops, the forwarding mode, the buffers and socket options). Changing those
 * takes a new proxy.
 */
final class Reconfiguration {
    private Reconfiguration() { }

    /** @throws InvalidSettingException naming the first setting that would need a new proxy */
    static void requireSameListener(ProxyConfig current, ProxyConfig next, InetSocketAddress bound) {
        InetSocketAddress listen = next.listen();
        boolean sameAddress = listen.equals(current.listen()) || listen.equals(bound);
        if (!sameAddress) {
            throw fixed("listen", listen, current.listen() + " (or " + bound + ")");
        }
        same("transport", current, next, c -> c.transport().name());
        same("eventLoops", current, next, ProxyConfig::eventLoops);
        same("runtime", current, next, c -> c.runtime().orElse(null));
        same("forwarding", current, next, ProxyConfig::forwarding);
        same("spliceThreshold", current, next, ProxyConfig::spliceThreshold);
        same("splicePipeSize", current, next, ProxyConfig::splicePipeSize);
        same("writeBufferWaterMark", current, next,
                c -> c.writeBufferLowWaterMark() + ".." + c.writeBufferHighWaterMark());
        same("directMemoryBudget", current, next, ProxyConfig::directMemoryBudget);
        same("socketOptions", current, next, ProxyConfig::socketOptions);
    }

    /** Whether the edge checks are the same, so that their per-source counts carry over. */
    static boolean sameAdmission(ProxyConfig current, ProxyConfig next) {
        return current.accessRules().equals(next.accessRules()) && current.sourceLimits().equals(next.sourceLimits());
    }

    private static void same(String setting, ProxyConfig current, ProxyConfig next, Function<ProxyConfig, ?> value) {
        Object was = value.apply(current);
        Object now = value.apply(next);
        if (!Objects.equals(was, now)) {
            throw fixed(setting, now, String.valueOf(was));
        }
    }

    private static InvalidSettingException fixed(String setting, Object value, String current) {
        return InvalidSettingException.notHere(setting, value, value + " cannot be changed on a running proxy",
                "the running proxy's " + current + "; start a new proxy for another", null);
    }
}
