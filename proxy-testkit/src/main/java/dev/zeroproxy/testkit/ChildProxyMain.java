package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyStats;
import dev.zeroproxy.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The proxy process of {@link ChildProxy}: a proxy with one event loop, run in a JVM of its own
 * so that a test can take its file descriptors away (a real {@code EMFILE}) without taking the
 * test JVM's.
 *
 * <p>Arguments: transport name, forwarding mode, splice threshold in bytes, upstream port on
 * 127.0.0.1. It prints {@code PORT n} once it listens, then answers one command per stdin line,
 * one stdout line each:
 * <ul>
 *   <li>{@code reserve N}: opens {@code /dev/null} until the kernel refuses with EMFILE (and
 *       again after a pause, for descriptors the proxy closed late), then closes N of those, so that exactly N descriptors are left for the proxy. Answers
 *       {@code RESERVED held}.
 *   <li>{@code release}: closes what {@code reserve} holds. Answers {@code RELEASED}.
 *   <li>{@code stats}: answers {@code STATS openChannels activeConnections}.
 *   <li>{@code leaks}: answers {@code LEAKS n}, the Netty buffers reported leaked (each also logged).
 * </ul>
 * At the end of stdin (the test finished, or its JVM died) it exits, so no child outlives its test.
 */
public final class ChildProxyMain {
    private static final Path DEV_NULL = Path.of("/dev/null");
    /** Far above any descriptor limit a test sets: a bound on the reserve loop, not a target. */
    private static final int MAX_HELD = 100_000;
    /** Far longer than an idle event loop takes to reach its next select. */
    private static final long LATE_CLOSE_PAUSE_MILLIS = 50;

    private final List<FileChannel> held = new ArrayList<>();
    private final Proxy proxy;

    private ChildProxyMain(Proxy proxy) {
        this.proxy = proxy;
    }

    /** Runs the child; see the class comment for the arguments and the commands. */
    public static void main(String[] args) throws Exception {
        // The leak recorder must be installed before Netty loads any buffer class.
        Class.forName(LeakDetection.class.getName(), true, ChildProxyMain.class.getClassLoader());
        preloadProjectClasses();
        Proxy proxy = Proxy.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstream(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[3])))
                .transport(Transport.named(args[0]))
                .forwarding(Forwarding.valueOf(args[1]))
                .spliceThreshold(Long.parseLong(args[2]))
                .eventLoops(1)
                .idleTimeout(Duration.ZERO)
                .drainTimeout(Duration.ZERO)
                .start();
        ChildProxyMain child = new ChildProxyMain(proxy);
        reply("PORT " + proxy.localAddress().getPort());
        int status = 1;
        try {
            child.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            child.release();
            proxy.close();
            status = 0;
        } finally {
            // Netty's loop threads are not daemons: without this, a failure here would leave the
            // child running with nobody reading its stdin.
            System.exit(status);
        }
    }

    private void serve(BufferedReader commands) throws Exception {
        String line;
        while ((line = commands.readLine()) != null) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "reserve" -> reply("RESERVED " + reserve(Integer.parseInt(words[1])));
                case "release" -> {
                    release();
                    reply("RELEASED");
                }
                case "stats" -> {
                    ProxyStats stats = proxy.stats();
                    reply("STATS " + stats.openChannels() + " " + stats.activeConnections());
                }
                case "leaks" -> {
                    List<String> leaks = LeakDetection.collectLeaks();
                    leaks.forEach(System.err::println);
                    reply("LEAKS " + leaks.size());
                }
                default -> reply("UNKNOWN " + line);
            }
        }
    }

    /** Leaves exactly {@code free} descriptors below the limit; returns how many are held. */
    private int reserve(int free) throws IOException, InterruptedException {
        release();
        // A socket the NIO transport closed keeps its descriptor until its event loop's next
        // select deregisters it (the JDK defers the close of a registered channel), which can
        // come just after the proxy reported the channel closed. Take such late descriptors too:
        // fill again after a pause until a round takes none, or they would be free for the proxy.
        while (fillUntilRefused() > 0) {
            Thread.sleep(LATE_CLOSE_PAUSE_MILLIS);
        }
        for (int i = 0; i < free && !held.isEmpty(); i++) {
            held.remove(held.size() - 1).close();
        }
        return held.size();
    }

    /** Opens {@code /dev/null} until the kernel refuses with EMFILE; returns how many it opened. */
    private int fillUntilRefused() throws IOException {
        int opened = 0;
        while (held.size() < MAX_HELD) {
            try {
                held.add(FileChannel.open(DEV_NULL));
                opened++;
            } catch (FileSystemException e) {
                if (e.getReason() == null || !e.getReason().contains("Too many open files")) {
                    throw e;
                }
                break;
            }
        }
        return opened;
    }

    private void release() throws IOException {
        for (FileChannel channel : held) {
            channel.close();
        }
        held.clear();
    }

    /** Answers the parent test: stdout is this child's reply channel (its log goes to stderr, through SLF4J). */
    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Loads every class of this project that is on the class path as a directory (the modules
     * of the build under test) now. Loading a class from a directory opens its file, which
     * would fail while the descriptors are taken, and kill the proxy on a code path it never
     * ran before: a failure of the test setup, not of the proxy. (Jars, the way the proxy ships,
     * stay open once read.)
     */
    private static void preloadProjectClasses() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path root = Path.of(entry);
            Path project = root.resolve("dev/zeroproxy");
            if (!Files.isDirectory(project)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(project)) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(f -> load(root.relativize(f)));
            }
        }
    }

    private static void load(Path classFile) {
        String name = classFile.toString().replace('/', '.').replaceAll("\\.class$", "");
        try {
            Class.forName(name, false, ChildProxyMain.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // A class whose dependencies are not on this class path (a test of another kind): never needed here.
        }
    }
}
