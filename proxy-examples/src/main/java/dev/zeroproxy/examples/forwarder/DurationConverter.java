package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.internal.DurationText;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a command-line duration: a whole number and a unit, as in {@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h} or {@code 1d}, or a bare {@code 0}.
 *
 * <p>A bare number other than zero is refused rather than guessed: {@code --idle-timeout 30}
 * could mean seconds or minutes, and a wrong guess is a silent misconfiguration. Negative
 * values are refused here too; whether zero is allowed is the proxy builder's call.
 *
 * <p>Stateless and thread-safe.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    private static final String EXPECTED = "expected: a whole number with a unit ms, s, m, h or d,"
            + " e.g. 500ms, 5s, 2m, 1h; or 0";

    /** For picocli, which instantiates converters itself. */
    public DurationConverter() { }

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code text} as described on the class.
     *
     * @throws TypeConversionException naming the text and the accepted forms
     */
    public static Duration parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(trimmed);
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration (" + EXPECTED + ")");
        }
        long amount = Long.parseLong(m.group(1));
        try {
            return of(amount, m.group(2));
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + text + "' is too long a duration (" + EXPECTED + ")");
        }
    }

    private static Duration of(long amount, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new AssertionError("the pattern admitted unit " + unit);
        };
    }

    /** Formats {@code duration} in the largest unit that holds it exactly, the way {@link #parse} reads it back. */
    public static String format(Duration duration) {
        return DurationText.format(duration);
    }
}
