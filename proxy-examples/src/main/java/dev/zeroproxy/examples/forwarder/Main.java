package dev.zeroproxy.examples.forwarder;

import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Entry point of the {@code zeroproxy} binary ({@code zeroproxy.jar}): {@code zeroproxy forward}
 * runs a forwarder, {@code zeroproxy demo} measures each transport and forwarding mode on
 * loopback. Exit codes: 0 success, 1 failure, 2 usage error.
 */
public final class Main {

    private Main() { }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        LogLevel.applyFrom(args);
        System.exit(commandLine(CommandLine.defaultFactory()).execute(args));
    }

    /**
     * The {@code zeroproxy} command line, wired for one-line usage errors; tests pass a factory
     * that builds commands with test doubles.
     */
    static CommandLine commandLine(IFactory factory) {
        ErrorReporter errors = new ErrorReporter();
        CommandLine cmd = new CommandLine(ZeroproxyCommand.class, factory);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler(errors);
        cmd.setExecutionExceptionHandler(errors);
        return cmd;
    }
}
