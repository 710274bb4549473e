package dev.zeroproxy.config;

/**
 * HAProxy's rule for a keyword written twice: the last line wins, without an error. A line that
 * failed leaves the value before it, so that its absence is not reported as a second error (a
 * frontend whose {@code default_backend} line is wrong is not also "without default_backend").
 */
final class LastWins {
    private LastWins() { }

    /** {@code written} if the line gave a value, otherwise {@code before}. */
    static <T> Located<T> apply(Located<T> written, Located<T> before) {
        return written != null ? written : before;
    }
}
