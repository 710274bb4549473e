package dev.zeroproxy.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, as data: where, the keyword it is about, what is
 * wrong, what was expected, and a near miss if the word looks like a misspelt keyword.
 *
 * @param where the file, line and column
 * @param keyword the keyword concerned, as written (or the section's, for a section's error)
 * @param problem what is wrong, e.g. {@code "'fooo' is not a keyword of section backend"}
 * @param expected what was expected there, e.g. {@code "a time such as 5s, 250ms or 1m"}
 * @param suggestion the keyword or name that was probably meant; null when none is close
 */
public record ConfigError(SourcePosition where, String keyword, String problem, String expected, String suggestion) {
    /** Checks the parts. */
    public ConfigError {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(expected, "expected");
    }

    /** {@code file:line:column: keyword: problem (expected: ...); did you mean 'x'?} */
    @Override
    public String toString() {
        return where + ": " + keyword + ": " + problem + " (expected: " + expected + ")"
                + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?");
    }
}
