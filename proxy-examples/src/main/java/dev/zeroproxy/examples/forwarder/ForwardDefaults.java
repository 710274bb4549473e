package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.upstream.Balance;
import dev.zeroproxy.upstream.UpstreamGroup;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of {@code zeroproxy forward}'s timeouts and splice sizes, read from {@link ProxyBuilder}'s
 * constants so that the command line and the library can never disagree about them.
 * Stateless and thread-safe.
 */
public final class ForwardDefaults implements IDefaultValueProvider {

    /** For picocli, which instantiates default providers itself. */
    public ForwardDefaults() { }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        return switch (option.longestName()) {
            case "--connect-timeout" -> DurationConverter.format(ProxyBuilder.DEFAULT_CONNECT_TIMEOUT);
            case "--idle-timeout" -> DurationConverter.format(ProxyBuilder.DEFAULT_IDLE_TIMEOUT);
            case "--drain-timeout" -> DurationConverter.format(ProxyBuilder.DEFAULT_DRAIN_TIMEOUT);
            case "--transport" -> TransportSelection.AUTO;
            case "--balance" -> Balance.ROUND_ROBIN.keyword();
            case "--retries" -> String.valueOf(UpstreamGroup.DEFAULT_RETRIES);
            case "--splice-threshold" -> ByteSizeConverter.format(ProxyBuilder.DEFAULT_SPLICE_THRESHOLD);
            case "--splice-pipe-size" -> ByteSizeConverter.format(ProxyBuilder.DEFAULT_SPLICE_PIPE_SIZE);
            default -> null;
        };
    }
}
