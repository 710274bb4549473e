package dev.zeroproxy.config;

import static dev.zeroproxy.config.Configs.BACKEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public entry points: files, encodings, line ends, and how errors come back. */
class ConfigParserTest {
    private static final String VALID = "frontend web\n    bind 127.0.0.1:8080\n    default_backend app\n"
            + "backend app\n    server s1 127.0.0.1:9000\n";

    @TempDir
    Path directory;

    @Test
    void readsAFileInUtf8NamingPositionsByItsPath() throws IOException {
        Path file = directory.resolve("zeroproxy.cfg");
        Files.writeString(file, "# é\n" + VALID, StandardCharsets.UTF_8);

        ProxyFile parsed = ConfigParser.parse(file);

        assertEquals(file.toString(), parsed.name());
        assertEquals(new SourcePosition(file.toString(), 2, 1), parsed.frontends().get(0).where());
    }

    @Test
    void aMissingFileIsAConfigExceptionAtLineZero() {
        Path file = directory.resolve("missing.cfg");

        ConfigError error = assertThrows(ConfigException.class, () -> ConfigParser.parse(file)).errors().get(0);

        assertEquals(new SourcePosition(file.toString(), 0, 0), error.where());
        assertEquals("cannot read the file: no such file", error.problem());
    }

    @Test
    void aDirectoryOrAFileThatIsNotUtf8IsAConfigException() throws IOException {
        Path latin1 = directory.resolve("latin1.cfg");
        Files.write(latin1, "# \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertTrue(assertThrows(ConfigException.class, () -> ConfigParser.parse(directory)).getMessage()
                .startsWith(directory + ":0:0: file: cannot read the file"));
        assertEquals("cannot read the file: it is not UTF-8 text",
                assertThrows(ConfigException.class, () -> ConfigParser.parse(latin1)).errors().get(0).problem());
    }

    @Test
    void crlfLineEndsReadAsPlainLines() {
        ProxyFile file = Configs.parse(VALID.replace("\n", "\r\n"));

        assertEquals(new SourcePosition(Configs.FILE, 1, 1), file.frontends().get(0).where());
        assertEquals(new SourcePosition(Configs.FILE, 2, 10), file.frontends().get(0).binds().get(0).where());
    }

    @Test
    void aByteOrderMarkIsRefusedAsHaproxyRefusesItAndNamedForWhatItIs() {
        List<ConfigError> errors = Configs.errors("\uFEFF" + VALID);

        assertEquals(1, errors.size(), errors::toString);
        assertEquals(new SourcePosition(Configs.FILE, 1, 1), errors.get(0).where());
        assertTrue(errors.get(0).problem().contains("byte order mark"), errors::toString);
    }

    @Test
    void theEnvironmentGivenExpandsVariables() {
        ProxyFile file = ConfigParser.parse("env.cfg", VALID.replace("127.0.0.1:8080", "\"127.0.0.1:${P}\""),
                name -> name.equals("P") ? "7001" : null);

        assertEquals(7001, file.frontends().get(0).binds().get(0).address().getPort());
    }

    @Test
    void aFileWithNothingToListenIsAnErrorAsInHaproxy() {
        List<ConfigError> errors = Configs.errors("# nothing yet\nbackend app\n    server s1 127.0.0.1:9000\n");

        assertEquals(1, errors.size(), errors::toString);
        assertEquals(new SourcePosition(Configs.FILE, 1, 1), errors.get(0).where());
        assertEquals("frontend", errors.get(0).keyword());
    }

    @Test
    void everyErrorIsReportedInFileOrderOnePerLineOfTheMessage() {
        String text = "frontend web\n    bind :0\n    default_backend nowhere\n    maxcon 1\n" + BACKEND
                + "global\n    daemon\n";

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse("x.cfg", text));

        assertEquals(List.of("x.cfg:2:11", "x.cfg:3:21", "x.cfg:4:5", "x.cfg:8:5"),
                e.errors().stream().map(error -> error.where().toString()).toList());
        assertEquals(4, e.getMessage().split("\n").length);
        assertTrue(e.getMessage().startsWith("x.cfg:2:11: bind: '0' is not a port (expected: a port from 1 to 65535)"),
                e.getMessage());
    }
}
