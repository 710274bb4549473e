package dev.zeroproxy.config;

import dev.zeroproxy.InvalidSettingException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Which line of the file set each builder setting: what turns the library's
 * {@link InvalidSettingException} (setting, value, expected) into a {@link ConfigError} at the
 * value's {@code file:line:column}, in the file's words (its keyword, its time units), without
 * reading the exception's message.
 */
final class Attribution {
    private final Map<String, Located<?>> sources = new HashMap<>();
    private final SourcePosition fallback;
    private final String fallbackKeyword;

    /** @param fallback where an error of a setting no line set points (the section's header) */
    Attribution(SourcePosition fallback, String fallbackKeyword) {
        this.fallback = fallback;
        this.fallbackKeyword = fallbackKeyword;
    }

    /** Records that the builder's {@code setting} came from {@code value} (nothing when null). */
    Attribution set(String setting, Located<?> value) {
        if (value != null) {
            sources.put(setting, value);
        }
        return this;
    }

    /** The error, at the line that set the setting, or at the section's header. */
    ConfigError explain(InvalidSettingException e) {
        Located<?> source = sources.get(e.setting());
        String shown = source != null ? describe(source.value()) : describe(e.value());
        String keyword = source != null ? source.keyword() : fallbackKeyword;
        SourcePosition where = source != null ? source.where() : fallback;
        String expected = e.min() != null && e.max() != null
                ? "from " + describe(e.min()) + " to " + describe(e.max()) : e.expected();
        return new ConfigError(where, keyword, "'" + shown + "' is not accepted (the library's " + e.setting() + ")",
                expected, null);
    }

    /** A value as the file would write it: times in HAProxy's units. */
    static String describe(Object value) {
        return value instanceof Duration d ? TimeText.of(d) : String.valueOf(value);
    }
}
