package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The errors found in one file, collected rather than thrown so that one run reports all of them,
 * and handed back in file order (line, then column; errors at the same place in the order found),
 * whatever order the checks ran in.
 */
final class Problems {
    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    SourcePosition at(int line, int column) {
        return new SourcePosition(file, line, column);
    }

    void report(SourcePosition where, String keyword, String problem, String expected, String suggestion) {
        errors.add(new ConfigError(where, keyword, problem, expected, suggestion));
    }

    /** How many errors so far: a reader compares counts to learn whether a line it read failed. */
    int count() {
        return errors.size();
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** The errors in file order; the sort is stable. */
    List<ConfigError> inFileOrder() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt((ConfigError e) -> e.where().line())
                .thenComparingInt(e -> e.where().column()));
        return sorted;
    }

    /** Throws every error found, if any. */
    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ConfigException(inFileOrder());
        }
    }
}
