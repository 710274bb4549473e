package dev.zeroproxy.examples.admin;

import dev.zeroproxy.examples.forwarder.DurationConverter;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --stats-refresh}: a duration as {@link DurationConverter} reads it, in whole
 * seconds (what an HTML refresh counts in) up to {@link AdminServer#MAX_REFRESH}, or 0 for none.
 * Checked at parse time, so a bad value is refused before anything is bound. Stateless.
 */
public final class RefreshConverter implements ITypeConverter<Duration> {
    static final String EXPECTED = "0 (no refresh) or whole seconds from 1s to 1h";

    /** For picocli. */
    public RefreshConverter() { }

    @Override
    public Duration convert(String value) {
        Duration refresh = DurationConverter.parse(value);
        if (!valid(refresh)) {
            throw new TypeConversionException("'" + value + "' (expected: " + EXPECTED + ")");
        }
        return refresh;
    }

    /** Whether {@code refresh} is one the stats page can use. */
    static boolean valid(Duration refresh) {
        return !refresh.isNegative() && refresh.compareTo(AdminServer.MAX_REFRESH) <= 0
                && refresh.toNanos() % 1_000_000_000 == 0;
    }
}
