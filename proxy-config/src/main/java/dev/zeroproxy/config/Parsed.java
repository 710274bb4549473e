package dev.zeroproxy.config;

import java.util.Collection;

/**
 * The outcome of reading one value: the value, or what is wrong with the text, what was expected
 * instead, where in the text the problem starts (so that the error can point inside a word, e.g.
 * at the port of {@code 10.0.0.1:99999}), and the value probably meant.
 *
 * @param <T> the value's type
 * @param value the value; null when the text is wrong
 * @param problem what is wrong; null when the text is right
 * @param expected what was expected; null when the text is right
 * @param offset the index in the text where the problem starts
 * @param suggestion the value probably meant; null when none is close
 */
record Parsed<T>(T value, String problem, String expected, int offset, String suggestion) {

    static <T> Parsed<T> of(T value) {
        return new Parsed<>(value, null, null, 0, null);
    }

    static <T> Parsed<T> wrong(String problem, String expected) {
        return new Parsed<>(null, problem, expected, 0, null);
    }

    static <T> Parsed<T> wrong(String problem, String expected, int offset) {
        return new Parsed<>(null, problem, expected, offset, null);
    }

    /** A wrong word, and the one of {@code choices} it is probably a misspelling of. */
    static <T> Parsed<T> near(String problem, String expected, String word, Collection<String> choices) {
        return new Parsed<>(null, problem, expected, 0, Suggestions.closest(word, choices));
    }

    boolean ok() {
        return problem == null;
    }

    /** The same problem, as the outcome of a read of another type, moved by {@code shift} characters. */
    <U> Parsed<U> failure(int shift) {
        return new Parsed<>(null, problem, expected, offset + shift, suggestion);
    }
}
