package dev.zeroproxy.examples.forwarder;

import java.io.PrintWriter;

/**
 * The demo's progress display on stderr, kept off stdout so that the table stays clean when
 * redirected. On a terminal it is one line rewritten in place with {@code \r}; elsewhere (a
 * log file, CI) only each step is printed, once, on its own line. Not thread-safe: the demo
 * drives it from one thread.
 */
final class ProgressLine {
    private final PrintWriter err;
    private final boolean interactive;
    private int lastLength;

    ProgressLine(PrintWriter err, boolean interactive) {
        this.err = err;
        this.interactive = interactive;
    }

    /** A new step: shown in every mode. */
    void step(String text) {
        if (interactive) {
            rewrite(text);
        } else {
            err.println(text);
            err.flush();
        }
    }

    /** An update within a step: shown on a terminal only. */
    void update(String text) {
        if (interactive) {
            rewrite(text);
        }
    }

    /** Removes the line, so that what is printed next starts clean. */
    void clear() {
        if (interactive && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }

    private void rewrite(String text) {
        // Pad over the previous text, which may have been longer.
        err.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
        err.flush();
        lastLength = text.length();
    }
}
