package dev.zeroproxy.config;

import java.util.Objects;

/**
 * Where something was written in a configuration file: the file's name as it was given, and the
 * 1-based line and column. Reads {@code file:line:column}, as compilers write it, so that editors
 * and terminals can jump to it.
 */
public record SourcePosition(String file, int line, int column) {
    /** Checks the parts. */
    public SourcePosition {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
