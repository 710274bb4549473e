package dev.zeroproxy.examples.forwarder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal. Java tells only whether stdin and stdout both are
 * ({@code System.console()}); the live line goes to stderr, so this asks Linux's
 * {@code /proc/self/fd} what that descriptor is, and falls back on the console elsewhere.
 */
final class Terminals {

    private Terminals() { }

    /** Whether stdout (1) or stderr (2) is a terminal. */
    static boolean isTerminal(int descriptor) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + descriptor)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException noProc) {
            // No /proc here (not Linux): the console exists only where stdin and stdout are terminals.
            return System.console() != null;
        }
    }
}
