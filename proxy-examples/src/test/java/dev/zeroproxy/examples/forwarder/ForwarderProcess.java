package dev.zeroproxy.examples.forwarder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code zeroproxy} command in a child JVM, for tests that need what only a process
 * has: signals, exit codes, and the lines it prints. Started with the test's class path and
 * {@code Main}'s arguments; what it prints (stdout and stderr, where the forwarder logs) is
 * collected line by line.
 * {@link #close()} kills it if it is still running: only this process, by its handle.
 */
final class ForwarderProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("zeroproxy forwarding (\\S+):(\\d+) -> ");

    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private ForwarderProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::collect, "forwarder-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code zeroproxy ARGS...}. */
    static ForwarderProcess start(String... args) throws IOException {
        // stdout (the demo's table, --version) and stderr (the log) in one stream, in order.
        return new ForwarderProcess(asTheLauncherDoes(new ProcessBuilder(javaCommand(args))).redirectErrorStream(true)
                .start());
    }

    /** The environment the {@code zeroproxy} launcher gives the JVM: its own suspend signal off SIGUSR2. */
    private static ProcessBuilder asTheLauncherDoes(ProcessBuilder builder) {
        builder.environment().put(Signals.SUSPEND_SIGNAL_VARIABLE, "39");
        return builder;
    }

    /**
     * Starts {@code zeroproxy ARGS...} with at most {@code descriptors} open files ({@code ulimit -n}),
     * through a shell that then becomes the JVM ({@code exec}), so the handle is the JVM's.
     */
    static ForwarderProcess startWithDescriptorLimit(int descriptors, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/bash", "-c",
                "ulimit -n " + descriptors + " && exec \"$@\"", "bash"));
        command.addAll(javaCommand(args));
        return new ForwarderProcess(asTheLauncherDoes(new ProcessBuilder(command)).redirectErrorStream(true).start());
    }

    private static List<String> javaCommand(String... args) {
        // Surefire runs tests from a manifest-only jar; the real class path is in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Descriptors the process has open now. */
    int openDescriptors() {
        String[] fds = new java.io.File("/proc/" + process.pid() + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private void collect() {
        try (BufferedReader err = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process is gone; what it printed is in lines.
        }
    }

    /** The address it listens on, from its ready line. */
    InetSocketAddress awaitReady(Duration timeout) throws InterruptedException {
        Matcher ready = READY.matcher(awaitLine("zeroproxy forwarding ", timeout));
        if (!ready.find()) {
            throw new AssertionError("no address in the ready line; log:\n" + log());
        }
        return new InetSocketAddress(ready.group(1), Integer.parseInt(ready.group(2)));
    }

    /** The first line containing {@code fragment}, waiting for it up to {@code timeout}. */
    String awaitLine(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.contains(fragment)) {
                        return line;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no line with '" + fragment + "' within " + timeout + "; log:\n" + log());
                }
                lines.wait(left);
            }
        }
    }

    /** Everything it printed so far. */
    String log() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Sends {@code SIG<name>} to it, with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit code, waiting up to {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
