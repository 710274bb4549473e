package dev.zeroproxy.examples.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium for the page tests: found as {@code chromium} or
 * {@code chromium-browser} on the PATH, or {@code /usr/bin/chromium}; run with a profile of its
 * own (other Chromiums on the machine keep theirs) and without its sandbox (tests run as root).
 * A run that outlasts its timeout is killed, with its child processes, by their handles.
 */
final class Chromium {
    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    /** The installed Chromium, if there is one. */
    static Optional<Chromium> find() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "chromium"));
                candidates.add(Path.of(dir, "chromium-browser"));
            }
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Chromium::new);
    }

    /** What a run printed on stdout, and its exit code. */
    record Result(int exitCode, String stdout, String stderr) { }

    /**
     * Runs {@code chromium --headless ... ARGS URL} with a profile under {@code dir}, waiting up
     * to {@code seconds}.
     */
    Result run(Path dir, int seconds, String url, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile")));
        command.addAll(List.of(args));
        command.add(url);
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish within " + seconds + " s: " + command
                    + "\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Override
    public String toString() {
        return binary.toString();
    }
}
