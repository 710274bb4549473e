package dev.zeroproxy.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads a configuration file written in HAProxy's syntax, the {@code mode tcp} subset ZeroProxy
 * runs, into a {@link ProxyFile}: {@code global}, {@code defaults}, {@code frontend},
 * {@code backend} and {@code listen} sections, quoting, escapes and {@code "$VAR"} expansion as
 * HAProxy 2.6 does them, {@code defaults} applied to the sections after them; and the one
 * {@code mode http} section ZeroProxy has, the stats section ({@code stats enable}), as its
 * admin endpoint ({@link ProxyFile#stats()}).
 *
 * <pre>{@code
 * ProxyFile file = ConfigParser.parse(Path.of("/etc/zeroproxy/zeroproxy.cfg"));
 * for (FrontendSection frontend : file.frontends()) { ... }
 * }</pre>
 *
 * <p>A file that cannot be used is a {@link ConfigException} listing every error found, in file
 * order, each at its {@code file:line:column} with what was expected and, for a misspelt keyword
 * or backend name, the one probably meant. A keyword HAProxy has but ZeroProxy does not support
 * is an error too (never silently ignored), with the keywords the section does support. Nothing
 * else is thrown for bad input, whatever the input.
 *
 * <p>Host names in {@code server} and {@code bind} addresses are resolved while parsing, as HAProxy
 * does at start-up. Stateless and thread-safe.
 */
public final class ConfigParser {
    private ConfigParser() { }

    /**
     * Reads a file, in UTF-8; its name in positions is {@code file} as given. An unreadable file
     * is a {@link ConfigException} at {@code file:0:0} saying why.
     */
    public static ProxyFile parse(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(new ConfigError(new SourcePosition(file.toString(), 0, 0), "file",
                    "cannot read the file: " + describe(e), "a readable file of UTF-8 text", null));
        }
        return parse(file.toString(), text);
    }

    /** Reads a file's text; {@code "$VAR"} reads the process's environment. */
    public static ProxyFile parse(String fileName, String text) {
        return parse(fileName, text, System::getenv);
    }

    /**
     * Reads a file's text.
     *
     * @param fileName the file's name, as every {@link SourcePosition} shows it
     * @param text the file's content
     * @param environment the value of a variable named in {@code "$VAR"} or {@code "${VAR}"}, null
     *     for an unset one (which expands to nothing, as in HAProxy)
     */
    public static ProxyFile parse(String fileName, String text, Function<String, String> environment) {
        return parse(fileName, text, environment, HostResolver.SYSTEM);
    }

    /** Reads a file's text, host names resolved by {@code resolver}: tests need no DNS. */
    static ProxyFile parse(String fileName, String text, Function<String, String> environment,
            HostResolver resolver) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(resolver, "resolver");
        return new ConfigFileReader(fileName, environment, resolver).read(text);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "it is not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
