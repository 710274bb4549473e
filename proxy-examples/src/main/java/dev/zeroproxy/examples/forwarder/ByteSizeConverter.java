package dev.zeroproxy.examples.forwarder;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a command-line byte count: a whole number of bytes, or one with a binary unit,
 * {@code k}, {@code m} or {@code g} (also spelled {@code KiB}, {@code MiB}, {@code GiB}), as in
 * {@code 64k}, {@code 256m}, {@code 1g}.
 *
 * <p>Units are powers of 1024 because the sizes this reads are buffer and transfer volumes,
 * which people think of in MiB. Stateless and thread-safe.
 */
public final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(?:([kmg])(?:ib|b)?)?");
    private static final String EXPECTED = "expected: a whole number of bytes, or with a unit k, m or g,"
            + " e.g. 64k, 256m, 1g";

    /** For picocli, which instantiates converters itself. */
    public ByteSizeConverter() { }

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code text} as described on the class.
     *
     * @throws TypeConversionException naming the text and the accepted forms
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a byte count (" + EXPECTED + ")");
        }
        long amount = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> throw new AssertionError("the pattern admitted unit " + m.group(2));
        };
        // Fifteen digits times 2^30 can exceed a long: check before shifting, or "9999999999g" wraps.
        if (amount > (Long.MAX_VALUE >> shift)) {
            throw new TypeConversionException("'" + text + "' is too large (" + EXPECTED + ")");
        }
        return amount << shift;
    }

    /** Formats {@code bytes} in the largest binary unit that holds it exactly, e.g. {@code 256m}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }
}
