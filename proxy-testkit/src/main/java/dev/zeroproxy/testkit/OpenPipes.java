package dev.zeroproxy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** This JVM's open pipe descriptors, as /proc/self/fd lists them: where splice pipes show up. */
public final class OpenPipes {
    private static final Path FDS = Path.of("/proc/self/fd");

    private OpenPipes() { }

    /** The /proc/self/fd entries that are pipes right now; none where there is no /proc. */
    public static Set<Path> open() {
        if (!Files.isDirectory(FDS)) {
            return Set.of();
        }
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.filter(OpenPipes::isPipe).collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many pipe descriptors are open right now. */
    public static int count() {
        return open().size();
    }

    /** The descriptor number of a /proc/self/fd entry. */
    public static int number(Path fd) {
        return Integer.parseInt(fd.getFileName().toString());
    }

    private static boolean isPipe(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }
}
