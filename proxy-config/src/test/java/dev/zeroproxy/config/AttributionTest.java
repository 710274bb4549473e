package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.InvalidSettingException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A setting the library's builders refuse, in a file the parser accepts, reported by
 * {@link Deployment#check} at the {@code file:line:column} of the value that set it, under the
 * file's keyword, in the file's units: never at the section, never in the builder's names only.
 */
class AttributionTest {
    private static final String FRONTEND = "frontend web\n    bind 127.0.0.1:8080\n    default_backend app\n";

    @Test
    void weightZeroIsReportedAtItsValue() {
        String line = "    server s1 127.0.0.1:9000 weight 0";
        ConfigError error = onlyError(FRONTEND + "backend app\n" + line + "\n");

        assertEquals(new SourcePosition(Configs.FILE, 5, column(line, "0")), error.where());
        assertEquals("weight", error.keyword());
        assertEquals("'0' is not accepted (the library's server s1 weight)", error.problem());
        assertEquals("from 1 to 256", error.expected());
    }

    @Test
    void aDefaultServerWeightIsReportedWhereItIsWritten() {
        String line = "    default-server weight 0";
        ConfigError error = onlyError(FRONTEND + "backend app\n" + line + "\n    server s1 127.0.0.1:9000\n");

        assertEquals(new SourcePosition(Configs.FILE, 5, column(line, "0")), error.where());
        assertEquals("weight", error.keyword());
    }

    @Test
    void tooManyThreadsAreReportedAtNbthread() {
        String line = "    nbthread 5000";
        ConfigError error = onlyError("global\n" + line + "\n" + FRONTEND + Configs.BACKEND);

        assertEquals(new SourcePosition(Configs.FILE, 2, column(line, "5000")), error.where());
        assertEquals("nbthread", error.keyword());
        assertEquals("from 1 to 4096", error.expected());
    }

    @Test
    void aQueueTimeoutUnderAMillisecondIsReportedInTheFilesUnit() {
        String line = "    timeout queue 500us";
        ConfigError error = onlyError(FRONTEND + Configs.BACKEND + line + "\n");

        assertEquals(new SourcePosition(Configs.FILE, 6, column(line, "500us")), error.where());
        assertEquals("timeout queue", error.keyword());
        assertEquals("'500us' is not accepted (the library's queueTimeout)", error.problem());
    }

    @Test
    void aQueueTimeoutFromDefaultsIsReportedInTheDefaultsSection() {
        String line = "    timeout queue 500us";
        ConfigError error = onlyError("defaults\n" + line + "\n" + FRONTEND + Configs.BACKEND);

        assertEquals(new SourcePosition(Configs.FILE, 2, column(line, "500us")), error.where());
        assertEquals("timeout queue", error.keyword());
    }

    @Test
    void aCheckIntervalTooShortIsReportedAtInter() {
        String line = "    server s1 127.0.0.1:9000 check inter 5ms";
        ConfigError error = onlyError(FRONTEND + "backend app\n" + line + "\n");

        assertEquals(new SourcePosition(Configs.FILE, 5, column(line, "5ms")), error.where());
        assertEquals("inter", error.keyword());
        assertTrue(error.expected().startsWith("from 10ms to "), error::toString);
    }

    @Test
    void everyBadSectionIsReportedInFileOrder() {
        String weight = "    server s1 127.0.0.1:9000 weight 0";
        String inter = "    server s2 127.0.0.1:9001 check inter 1ms";
        List<ConfigError> errors = Configs.checkErrors(FRONTEND + "backend app\n" + weight + "\n"
                + "    timeout queue 500us\nbackend spare\n" + inter + "\n");

        assertEquals(List.of(new SourcePosition(Configs.FILE, 5, column(weight, "0")),
                new SourcePosition(Configs.FILE, 8, column(inter, "1ms"))), errors.stream().map(ConfigError::where).toList(),
                errors::toString);
        assertEquals(List.of("weight", "inter"), errors.stream().map(ConfigError::keyword).toList());
    }

    @Test
    void aSettingNoLineSetIsReportedAtTheSection() {
        SourcePosition header = new SourcePosition(Configs.FILE, 4, 1);
        Attribution attribution = new Attribution(header, "backend");

        ConfigError error = attribution.explain(new InvalidSettingException("retries", 101, "0 to 100"));

        assertEquals(header, error.where());
        assertEquals("backend", error.keyword());
        assertEquals("'101' is not accepted (the library's retries)", error.problem());
        assertEquals("0 to 100", error.expected());
    }

    @Test
    void aRangeOfTimesIsWrittenInTheFilesUnits() {
        SourcePosition where = new SourcePosition(Configs.FILE, 7, 21);
        Attribution attribution = new Attribution(new SourcePosition(Configs.FILE, 4, 1), "backend")
                .set("connectTimeout", new Located<>(Duration.ofNanos(100_000), "timeout connect", where));

        ConfigError error = attribution.explain(InvalidSettingException.outOfRange("connectTimeout",
                Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(Integer.MAX_VALUE), ""));

        assertEquals(where, error.where());
        assertEquals("timeout connect", error.keyword());
        assertEquals("'100us' is not accepted (the library's connectTimeout)", error.problem());
        assertEquals("from 1ms to 2147483647ms", error.expected());
    }

    private static ConfigError onlyError(String text) {
        List<ConfigError> errors = Configs.checkErrors(text);
        assertEquals(1, errors.size(), errors::toString);
        return errors.get(0);
    }

    /** The 1-based column of the last {@code word} on the line. */
    private static int column(String line, String word) {
        return line.lastIndexOf(word) + 1;
    }
}
