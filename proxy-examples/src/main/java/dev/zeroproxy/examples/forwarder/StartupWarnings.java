package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code forward} warns about at start-up, before serving: flags given that will have no
 * effect, rather than ignore them silently. Warnings, not errors: a script that always passes
 * {@code --splice-threshold} must still run where the forwarder falls back to copying (nio,
 * or no {@code proxy-epoll}); the line says why the flag does nothing.
 */
final class StartupWarnings {
    /** Where Linux says the largest pipe an unprivileged process may ask for. */
    static final Path PIPE_MAX_SIZE = Path.of("/proc/sys/fs/pipe-max-size");
    /** CAP_SYS_RESOURCE, which lifts that limit: bit 24 of the capability sets. */
    private static final int CAP_SYS_RESOURCE = 24;

    private StartupWarnings() { }

    /**
     * Warnings for the flags in {@code given} (as typed, e.g. {@code --splice-threshold}) that
     * the resolved {@code forwarding} makes pointless.
     */
    static List<String> ineffectiveFlags(Set<String> given, Forwarding forwarding, String transport) {
        List<String> warnings = new ArrayList<>();
        String mode = forwarding.name().toLowerCase(Locale.ROOT);
        if (forwarding != Forwarding.AUTO && given.contains("--splice-threshold")) {
            warnings.add("--splice-threshold has no effect with mode " + mode + " on transport " + transport
                    + " (it sets when mode auto switches to splice)");
        }
        if (forwarding == Forwarding.COPY && given.contains("--splice-pipe-size")) {
            warnings.add("--splice-pipe-size has no effect with mode copy on transport " + transport
                    + " (nothing is spliced)");
        }
        return warnings;
    }

    /**
     * A warning when the pipe size asked for is above what the kernel gives this process, which
     * then keeps its default (64 KiB) pipes; null when it will be granted.
     */
    static String pipeSize(long requested, long pipeMaxSize, boolean privileged) {
        if (requested <= pipeMaxSize || privileged) {
            return null;
        }
        return "--splice-pipe-size " + ByteSizeConverter.format(requested) + " is above " + PIPE_MAX_SIZE + " ("
                + ByteSizeConverter.format(pipeMaxSize) + ") and this process lacks CAP_SYS_RESOURCE: splice pipes"
                + " will keep the kernel's default size (64k); ask for at most " + ByteSizeConverter.format(pipeMaxSize)
                + ", or raise " + PIPE_MAX_SIZE;
    }

    /** {@link #pipeSize(long, long, boolean)} on this machine; null where it cannot tell (not Linux). */
    static String pipeSizeHere(long requested) {
        try {
            long max = Long.parseLong(Files.readAllLines(PIPE_MAX_SIZE).get(0).trim());
            return pipeSize(requested, max, hasCapSysResource());
        } catch (IOException | RuntimeException notLinux) {
            return null;
        }
    }

    private static boolean hasCapSysResource() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (effective & (1L << CAP_SYS_RESOURCE)) != 0;
            }
        }
        return false;
    }
}
