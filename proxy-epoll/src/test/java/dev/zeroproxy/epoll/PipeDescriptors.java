package dev.zeroproxy.epoll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** This JVM's open pipe descriptors, as /proc/self/fd lists them: where splice pipes show up. */
final class PipeDescriptors {
    private PipeDescriptors() { }

    /** The /proc/self/fd entries that are pipes right now. */
    static Set<Path> open() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(PipeDescriptors::isPipe).collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The descriptor number of a /proc/self/fd entry. */
    static int number(Path fd) {
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
