package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.config.ConfigError;
import dev.zeroproxy.config.ConfigException;
import dev.zeroproxy.config.ConfigParser;
import dev.zeroproxy.config.ProxyFile;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Reading {@code -f FILE} for {@code run} and {@code check}, and reporting a file's errors the
 * way compilers do: one {@code file:line:column: ...} line per error, so that editors jump to
 * them, under a first line that counts them.
 */
final class ConfigFiles {
    private ConfigFiles() { }

    /**
     * The parsed file.
     *
     * @throws ParameterException (exit code 2) listing every error
     */
    static ProxyFile read(CommandSpec spec, Path file) {
        try {
            return ConfigParser.parse(file);
        } catch (ConfigException e) {
            throw usage(spec, file, e);
        }
    }

    /** A usage error whose message is the file's errors, one per line. */
    static ParameterException usage(CommandSpec spec, Path file, ConfigException e) {
        return new ParameterException(spec.commandLine(), describe(file, e));
    }

    /**
     * {@code FILE: N error(s)} then each error on its own line; or, when the file itself could not
     * be read (an error at line 0, column 0: there is no line to point at), one line saying why.
     */
    static String describe(Path file, ConfigException e) {
        if (e.errors().size() == 1) {
            ConfigError error = e.errors().get(0);
            if (error.where().line() == 0 && error.where().column() == 0) {
                return file + ": " + error.problem() + " (expected: " + error.expected() + ")";
            }
        }
        StringBuilder text = new StringBuilder(file + ": " + e.errors().size() + " error(s)");
        for (ConfigError error : e.errors()) {
            text.append(System.lineSeparator()).append(error);
        }
        return text.toString();
    }
}
