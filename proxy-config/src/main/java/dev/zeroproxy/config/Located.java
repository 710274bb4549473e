package dev.zeroproxy.config;

import java.util.Objects;

/**
 * A value read from a configuration file, with the keyword that set it and where: what an error
 * about the value (the builder's {@code InvalidSettingException} included) points at.
 *
 * @param <T> the value's type
 * @param value the value
 * @param keyword the keyword as written, e.g. {@code timeout connect} or {@code weight}
 * @param where where the value (not the keyword) starts
 */
public record Located<T>(T value, String keyword, SourcePosition where) {
    /** Checks the parts. */
    public Located {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(where, "where");
    }
}
