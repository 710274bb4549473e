package dev.zeroproxy;

import java.util.Objects;

/**
 * A setting the {@link ProxyBuilder} refused, as data: which setting, the value given, and
 * what was expected, so that a command line or a configuration loader can report it in its own
 * terms (its flag or its file and line, the value as its user wrote it) without parsing the
 * message. The message itself reads {@code "setting: value (expected: ...)"}.
 *
 * <p>For a value outside a range, {@link #min()} and {@link #max()} are its bounds, of the
 * value's own type (a {@code Long} of bytes, a {@code Duration}), so that they too can be
 * written the user's way ({@code 4k..1g}); otherwise both are null.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final transient Object value;
    private final String expected;
    private final String problem;
    private final transient Object min;
    private final transient Object max;

    /**
     * @param setting the builder's name for it, e.g. {@code connectTimeout} or {@code socketOption TCP_KEEPIDLE}
     * @param value the value given
     * @param expected what was expected, in the library's words
     */
    public InvalidSettingException(String setting, Object value, String expected) {
        this(setting, value, String.valueOf(value), expected, null, null, null);
    }

    private InvalidSettingException(String setting, Object value, String problem, String expected, Object min,
            Object max, Throwable cause) {
        super(Objects.requireNonNull(setting, "setting") + ": " + problem + " (expected: "
                + Objects.requireNonNull(expected, "expected") + ")", cause);
        this.setting = setting;
        this.value = value;
        this.expected = expected;
        this.problem = problem;
        this.min = min;
        this.max = max;
    }

    /** A value outside {@code min..max} (inclusive); {@code unit} follows the range in the message, e.g. "bytes". */
    public static InvalidSettingException outOfRange(String setting, Object value, Object min, Object max, String unit) {
        return new InvalidSettingException(setting, value, String.valueOf(value),
                min + ".." + max + (unit.isEmpty() ? "" : " " + unit), min, max, null);
    }

    /**
     * A value that is valid in itself but not here, e.g. an option the chosen transport lacks:
     * the message reads {@code "setting: problem (expected: ...)"}, {@link #value()} is still
     * the value given.
     */
    public static InvalidSettingException notHere(String setting, Object value, String problem, String expected,
            Throwable cause) {
        return new InvalidSettingException(setting, value, problem, expected, null, null, cause);
    }

    /** The builder's name for the setting. */
    public String setting() {
        return setting;
    }

    /** The value given. */
    public Object value() {
        return value;
    }

    /**
     * What is wrong, in the library's words: the value itself for a plain refusal
     * ({@code "-1"}), or a sentence for a value valid elsewhere ({@code "SPLICE is not supported by
     * transport nio"}). The message is {@code setting + ": " + problem + " (expected: " + expected + ")"}.
     */
    public String problem() {
        return problem;
    }

    /** What was expected, in the library's words. */
    public String expected() {
        return expected;
    }

    /** The lowest valid value, for a range; else null. */
    public Object min() {
        return min;
    }

    /** The highest valid value, for a range; else null. */
    public Object max() {
        return max;
    }
}
