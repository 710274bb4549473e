package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.ProxyBuilder;
import dev.zeroproxy.edge.AccessRules;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyProtocolSend;
import dev.zeroproxy.edge.SourceLimits;
import dev.zeroproxy.edge.SourcePool;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The {@code forward} flags of the proxy's edges (issue 11): the PROXY protocol accepted and
 * sent, source addresses for upstream connections, access rules and per-source limits. A
 * picocli mixin; {@code --allow} and {@code --deny} keep their order across both flags (the first
 * matching rule wins): each is one occurrence of a repeated exclusive group.
 */
public final class EdgeOptions {
    /** The proxies trusted by a bare {@code --accept-proxy}: this machine only. */
    static final String LOOPBACK = "127.0.0.0/8,::1";

    @Option(names = "--accept-proxy", arity = "0..1", paramLabel = "CIDR[,CIDR...]", fallbackValue = LOOPBACK,
            description = "Require a PROXY protocol header (v1 or v2) from every client, and accept clients only from"
                    + " these proxies (default when given alone: " + LOOPBACK + "); anyone else is refused, never"
                    + " guessed.")
    private String acceptProxy;

    @Option(names = "--send-proxy", paramLabel = "v1|v2",
            description = "Send a PROXY protocol header (v1 text or v2 binary) to the upstream ahead of the client's"
                    + " bytes, with the real client's address.")
    private String sendProxy;

    @Option(names = "--source", paramLabel = "ADDR[,ADDR...]",
            description = "Local addresses upstream connections leave from, in turn; each holds its own range of"
                    + " ports per server (IP_BIND_ADDRESS_NO_PORT on epoll and io_uring).")
    private String source;

    @Option(names = "--max-conn-per-source", paramLabel = "N",
            description = "Most connections one client address may hold at once; more are refused (default: no limit).")
    private Integer maxConnPerSource;

    @Option(names = "--max-conn-rate-per-source", paramLabel = "N/s",
            description = "Most new connections per second from one client address, e.g. 20/s; more are refused"
                    + " (default: no limit).")
    private String maxConnRatePerSource;

    /** One {@code --allow} or {@code --deny}; picocli keeps the order of a repeated group's occurrences. */
    static final class Rule {
        @Option(names = "--allow", paramLabel = "CIDR", required = true,
                description = "Allow clients from CIDR (e.g. 10.0.0.0/8, ::1, all); --allow and --deny apply in the"
                        + " order given, first match wins; a client no rule matches is allowed.")
        String allow;

        @Option(names = "--deny", paramLabel = "CIDR", required = true,
                description = "Refuse clients from CIDR (e.g. 0.0.0.0/0 or all, last, to allow only what --allow lists).")
        String deny;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..*")
    private List<Rule> rules = new ArrayList<>();

    /**
     * Puts these settings on {@code builder}.
     *
     * @throws IllegalArgumentException naming the flag and the value, for a value the flag does not take
     */
    void applyTo(ProxyBuilder builder) {
        if (!rules.isEmpty()) {
            AccessRules.Builder access = AccessRules.builder();
            for (Rule rule : rules) {
                if (rule.allow != null) {
                    access.allow(rule.allow);
                } else {
                    access.deny(rule.deny);
                }
            }
            builder.accessRules(access.build());
        }
        if (maxConnPerSource != null || maxConnRatePerSource != null) {
            SourceLimits.Builder limits = SourceLimits.builder();
            if (maxConnPerSource != null) {
                limits.maxConnectionsPerSource(maxConnPerSource);
            }
            if (maxConnRatePerSource != null) {
                limits.maxNewConnectionsPerSecondPerSource(rate(maxConnRatePerSource));
            }
            builder.sourceLimits(limits.build());
        }
        if (acceptProxy != null) {
            builder.acceptProxyProtocol(ProxyProtocolAccept.from(acceptProxy.split(",", -1)));
        }
        if (sendProxy != null) {
            builder.sendProxyProtocol(switch (sendProxy.toLowerCase(Locale.ROOT)) {
                case "v1", "1" -> ProxyProtocolSend.v1();
                case "v2", "2" -> ProxyProtocolSend.v2();
                default -> throw new IllegalArgumentException("--send-proxy: '" + sendProxy + "' (expected: v1 or v2)");
            });
        }
        if (source != null) {
            List<InetAddress> addresses = new ArrayList<>();
            for (String address : source.split(",", -1)) {
                InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(address.strip());
                if (parsed == null) {
                    throw new IllegalArgumentException("--source: '" + address + "' is not an IP address"
                            + " (expected: addresses such as 10.0.1.2,10.0.1.3)");
                }
                addresses.add(parsed);
            }
            builder.sourcePool(SourcePool.of(SourcePool.Mode.ROUND_ROBIN, addresses));
        }
    }

    private static int rate(String text) {
        String number = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            return Integer.parseInt(number.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-conn-rate-per-source: '" + text
                    + "' (expected: new connections per second, e.g. 20/s)");
        }
    }
}
