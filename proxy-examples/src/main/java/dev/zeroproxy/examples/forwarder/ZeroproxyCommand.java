package dev.zeroproxy.examples.forwarder;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code zeroproxy} command; it only groups the subcommands. Run without one, it
 * is a usage error. Not thread-safe (picocli populates it).
 */
@Command(
        name = "zeroproxy",
        description = "A zero-copy TCP forwarder built on the ZeroProxy library.",
        subcommands = {ForwardCommand.class, RunCommand.class, CheckCommand.class, DemoCommand.class},
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true)
public final class ZeroproxyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true,
            description = "Show the version, the commit, Netty's and Java's versions and the transports available here,"
                    + " and exit.")
    private boolean version;

    /** For picocli. */
    public ZeroproxyCommand() { }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "no command given (expected: forward, run, check or demo; see zeroproxy --help)");
    }
}
