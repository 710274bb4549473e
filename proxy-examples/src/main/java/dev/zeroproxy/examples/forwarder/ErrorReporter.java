package dev.zeroproxy.examples.forwarder;

import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How {@code zeroproxy} reports failure.
 *
 * <p>A usage error (a bad option, or a setting the proxy refused) is one line on stderr,
 * prefixed with the command, and exit code 2: no usage dump, no stack trace, since the line
 * already names the bad value and what was expected, and {@code --help} is one flag away.
 * Anything else is a bug or an environment failure: it is logged at ERROR with its stack trace
 * (that is what it is for) and the exit code is 1. Stateless and thread-safe.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(ErrorReporter.class);

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String line = cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage();
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line += " (did you mean: " + String.join(", ", unmatched.getSuggestions()) + "?)";
        } else if (ex instanceof MissingParameterException) {
            // A misspelt required option is reported as missing, before it is reported as unknown.
            line += MisspeltOptions.hint(cmd.getCommandSpec(), args);
        }
        PrintWriter err = cmd.getErr();
        err.println(line);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        LOGGER.error("{} failed", cmd.getCommandSpec().qualifiedName(), ex);
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }
}
