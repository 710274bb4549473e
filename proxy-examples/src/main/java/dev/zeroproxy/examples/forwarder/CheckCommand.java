package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.config.ConfigException;
import dev.zeroproxy.config.Deployment;
import dev.zeroproxy.config.ProxyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zeroproxy check -f FILE}: reads and checks a configuration file as {@code run} would,
 * without binding or starting anything, like {@code haproxy -c}: exit code 0 and one line when
 * it is valid; 2 and every error at its {@code file:line:column} when it is not. Not
 * thread-safe (picocli populates it).
 */
@Command(
        name = "check",
        description = "Check a configuration file (HAProxy syntax, mode tcp) without running it, like haproxy -c:"
                + " exit 0 if it is valid, 2 with each error at file:line:column.",
        sortOptions = false,
        usageHelpAutoWidth = true)
public final class CheckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The configuration file, e.g. zeroproxy.cfg (see docs/configuration.md).")
    private Path file;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "error, warn, info, debug or trace (default: info).")
    private LogLevel logLevel; // Applied by Main before parsing (see LogLevel).

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** For picocli. */
    public CheckCommand() { }

    @Override
    public Integer call() {
        ProxyFile parsed = ConfigFiles.read(spec, file);
        try {
            Deployment.check(parsed);
        } catch (ConfigException e) {
            throw ConfigFiles.usage(spec, file, e);
        }
        PrintWriter out = spec.commandLine().getOut();
        int binds = parsed.frontends().stream().mapToInt(f -> f.binds().size()).sum();
        int servers = parsed.backends().stream().mapToInt(b -> b.servers().size()).sum();
        out.println("Configuration file is valid: " + file + " (" + parsed.frontends().size() + " frontend(s) on "
                + binds + " bind(s), " + parsed.backends().size() + " backend(s) with " + servers + " server(s)"
                + parsed.stats().map(stats -> "; admin endpoint " + stats.describe()).orElse("") + ")");
        out.flush();
        return 0;
    }
}
