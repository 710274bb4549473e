package dev.zeroproxy.config;

import java.util.List;

/**
 * A configuration file that cannot be used, with every error found (in file order), each at its
 * {@code file:line:column}. The message lists them one per line. The only exception the parser
 * and the loader throw for bad input, whatever the input. Unchecked, as every exception of the
 * library is.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    /** @param errors at least one */
    public ConfigException(List<ConfigError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: empty (expected: at least one error)");
        }
        this.errors = List.copyOf(errors);
    }

    /** One error. */
    public ConfigException(ConfigError error) {
        this(List.of(error));
    }

    /** The errors, in file order. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(List<ConfigError> errors) {
        StringBuilder text = new StringBuilder();
        for (ConfigError error : errors) {
            text.append(text.length() == 0 ? "" : "\n").append(error);
        }
        return text.toString();
    }
}
