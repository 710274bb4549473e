package dev.zeroproxy.testkit;

import dev.zeroproxy.Forwarding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A proxy in a child JVM ({@link ChildProxyMain}) started with a low descriptor limit
 * ({@code ulimit -n}), so that a test can run it out of descriptors for real: the kernel's own
 * {@code EMFILE}, at accept, at the upstream socket, at a splice pipe. The test JVM keeps its
 * descriptors, drives the proxy with loopback sockets, and watches the child from outside:
 * alive, CPU time, descriptors, log.
 *
 * <p>The child's log (slf4j-simple, one record per line, each starting with its time) goes to a
 * file; {@link #close()} ends the child, by its own process only, and deletes the file.
 */
public final class ChildProxy implements AutoCloseable {
    /** The descriptor limit of the child: far above what it uses, far below what a test can open. */
    public static final int DESCRIPTOR_LIMIT = 256;
    private static final Pattern RECORD_START = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path log;
    private final PrintWriter commands;
    private final BlockingQueue<String> replies = new ArrayBlockingQueue<>(64);
    private final InetSocketAddress address;

    private ChildProxy(Process process, Path log) throws IOException {
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "child-proxy-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        String port = await("PORT");
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port));
    }

    /**
     * Starts a proxy on {@code transport} with {@code forwarding} in front of {@code upstream},
     * in a child JVM with the test JVM's class path, and waits until it listens.
     */
    public static ChildProxy start(String transport, Forwarding forwarding, long spliceThreshold,
            InetSocketAddress upstream) throws IOException {
        Path log = Files.createTempFile("zeroproxy-child-", ".log");
        // A small heap, the serial collector and C1 only: a child that starts fast, and whose own
        // collector and compiler threads add little to the CPU a test measures.
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Dio.netty.leakDetection.level=paranoid",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp", testClassPath(),
                ChildProxyMain.class.getName(),
                transport, forwarding.name(), Long.toString(spliceThreshold), Integer.toString(upstream.getPort())));
        // exec: the limit applies to the JVM itself, and the PID the test watches is the JVM's.
        String command = "ulimit -n " + DESCRIPTOR_LIMIT + " && exec \"$@\"";
        List<String> shell = new ArrayList<>(List.of("/bin/bash", "-c", command, "bash"));
        shell.addAll(java);
        ProcessBuilder builder = new ProcessBuilder(shell).redirectError(log.toFile());
        // The child recognises EMFILE by the C locale's strerror text, "Too many open files".
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        try {
            return new ChildProxy(process, log);
        } catch (IOException | RuntimeException | Error e) {
            process.destroyForcibly();
            Files.deleteIfExists(log);
            throw e;
        }
    }

    /** Surefire may start the test JVM from a manifest-only jar; the real class path is then in its property. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private void readReplies() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                replies.offer(line);
            }
        } catch (IOException ended) {
            // The child is gone; a command waiting for its answer reports it.
        }
    }

    private String await(String tag) throws IOException {
        String line;
        try {
            line = replies.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the child's " + tag, e);
        }
        if (line == null || !(line.equals(tag) || line.startsWith(tag + " "))) {
            throw new IOException("the child answered " + line + " instead of " + tag + " (alive: "
                    + process.isAlive() + "); its log:\n" + logText());
        }
        return line.substring(Math.min(line.length(), tag.length() + 1));
    }

    private String command(String command, String replyTag) throws IOException {
        commands.println(command);
        return await(replyTag);
    }

    /** Where the proxy listens. */
    public InetSocketAddress address() {
        return address;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Leaves the proxy exactly {@code free} descriptors; call while it opens none (no connection in flight). */
    public void reserveAllBut(int free) throws IOException {
        command("reserve " + free, "RESERVED");
    }

    /** Gives back what {@link #reserveAllBut} took. */
    public void release() throws IOException {
        command("release", "RELEASED");
    }

    /** The proxy's open channels and active connections, as {@code {openChannels, active}}. */
    public long[] stats() throws IOException {
        String[] words = command("stats", "STATS").split(" ");
        return new long[] {Long.parseLong(words[0]), Long.parseLong(words[1])};
    }

    /** Waits until the proxy holds exactly {@code connections} connections and their channels. */
    public void awaitConnections(int connections, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] stats = stats();
        while (stats[1] != connections || stats[0] != 2L * connections) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the proxy holds " + stats[1] + " connection(s) and " + stats[0]
                        + " channel(s), expected " + connections + " and " + 2 * connections);
            }
            sleep(10);
            stats = stats();
        }
    }

    /** Netty buffers the child reported leaked, after a collection. */
    public int leaks() throws IOException {
        return Integer.parseInt(command("leaks", "LEAKS"));
    }

    /** CPU time the child used so far, all its threads, user and system. */
    public Duration cpuTime() {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new AssertionError("no CPU time for process " + process.pid()));
    }

    /**
     * Per thread of the child, by thread id: nanoseconds on a CPU plus nanoseconds runnable but
     * waiting for one ({@code /proc/PID/task/TID/schedstat}). Their growth over a window is how
     * long the child wanted a CPU: a spinning thread wants it all the time, however busy the
     * machine, where its CPU time alone shrinks with the machine's load.
     */
    public Map<Long, Long> runnableNanos() throws IOException {
        Map<Long, Long> byThread = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    // readAllLines, not readString: procfs reports size 0 (see PipeBudget in proxy-epoll).
                    String[] fields = Files.readAllLines(task.resolve("schedstat")).get(0).trim().split(" ");
                    byThread.put(Long.parseLong(task.getFileName().toString()),
                            Long.parseLong(fields[0]) + Long.parseLong(fields[1]));
                } catch (IOException exited) {
                    // The thread ended between the listing and the read.
                }
            }
        }
        return byThread;
    }

    /** How long the child's threads wanted a CPU between two {@link #runnableNanos} readings; threads alive at both. */
    public static Duration runnableBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long nanos = 0;
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            Long earlier = before.get(thread.getKey());
            if (earlier != null) {
                nanos += thread.getValue() - earlier;
            }
        }
        return Duration.ofNanos(nanos);
    }

    /** The child's open pipe descriptors (its stdio included), from /proc. */
    public int openPipes() throws IOException {
        return (int) openDescriptorTargets().stream().filter(t -> t.startsWith("pipe:")).count();
    }

    /** What each of the child's descriptors points at, from /proc. */
    public List<String> openDescriptorTargets() throws IOException {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // Closed between the listing and the read: not open.
                }
            }
        }
        return targets;
    }

    /** The records the child logged so far (a stack trace's lines belong to its record). */
    public List<String> logRecords() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> RECORD_START.matcher(l).matches())
                .toList();
    }

    /** The whole log, for failure messages. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Ends the child (its stdin closed first, then by signal if it lingers) and deletes its log. */
    @Override
    public void close() throws IOException {
        try {
            commands.close();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
