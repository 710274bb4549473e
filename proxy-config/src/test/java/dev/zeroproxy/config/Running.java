package dev.zeroproxy.config;

import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.internal.ProxyServer;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Files run by the {@link Deployment} tests: their common head, starting them, and what to look at. */
final class Running {
    /** Two loops (the machine's two cores), TCP mode, timeouts as a user writes them: lines 1 to 7. */
    static final String HEAD = """
            global
                nbthread 2
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;
    static final String FILE = "deployment.cfg";

    private Running() { }

    /** The file parsed as {@code zeroproxy run} parses it, and checked by {@code haproxy -c} where installed. */
    static ProxyFile file(String text) {
        return Configs.running(FILE, text);
    }

    static Deployment start(String text, ProxyListener listener) {
        return Deployment.start(file(text), listener);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The listening channels of a bind's proxy. */
    static List<Channel> listening(Proxy proxy) {
        return ((ProxyServer) proxy).serverChannels();
    }

    /** The 1-based line of the first line of {@code text} that contains {@code fragment}. */
    static int lineOf(String text, String fragment) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i + 1;
            }
        }
        throw new AssertionError("'" + fragment + "' is not in:\n" + text);
    }

    /** The names of the live threads the library starts (loops, drains), to see that none is left. */
    static Set<String> libraryThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("zeroproxy-")).collect(Collectors.toSet());
    }
}
