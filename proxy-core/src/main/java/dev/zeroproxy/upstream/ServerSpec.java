package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.edge.ProxyProtocolSend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One server of an {@link UpstreamGroup}, as configured: name, address, weight, connection
 * limit, backup flag, and what it overrides of the group's settings (PROXY header, health
 * check, source address). Immutable; each {@code with}-style method returns a changed copy.
 * Values are checked when the group is built (or the server added), with an
 * {@link dev.zeroproxy.InvalidSettingException} naming the server and the setting.
 *
 * <pre>{@code
 * ServerSpec.of("b", new InetSocketAddress("10.0.0.8", 5432)).weight(2).maxConnections(100)
 * }</pre>
 *
 * @see UpstreamGroup.Builder#server(ServerSpec)
 */
public final class ServerSpec {
    /** Default weight. */
    public static final int DEFAULT_WEIGHT = 1;

    private final String name;
    private final InetSocketAddress address;
    private final int weight;
    private final int maxConnections;
    private final boolean backup;
    private final ProxyProtocolSend sendProxyProtocol;
    private final InetAddress source;
    /** The server's own checks; null for the group's. */
    private final HealthCheck healthCheck;
    /** Never checked, whatever the group says. */
    private final boolean unchecked;

    private ServerSpec(String name, InetSocketAddress address, int weight, int maxConnections, boolean backup,
            ProxyProtocolSend sendProxyProtocol, InetAddress source, HealthCheck healthCheck, boolean unchecked) {
        this.name = name;
        this.address = address;
        this.weight = weight;
        this.maxConnections = maxConnections;
        this.backup = backup;
        this.sendProxyProtocol = sendProxyProtocol;
        this.source = source;
        this.healthCheck = healthCheck;
        this.unchecked = unchecked;
    }

    /** A primary server of weight 1 with no connection limit. */
    public static ServerSpec of(String name, InetSocketAddress address) {
        return new ServerSpec(Objects.requireNonNull(name, "name"), Objects.requireNonNull(address, "address"),
                DEFAULT_WEIGHT, 0, false, null, null, null, false);
    }

    /** This server with {@code weight}, 1 to {@value UpstreamGroup#MAX_WEIGHT}; default 1. */
    public ServerSpec weight(int weight) {
        return new ServerSpec(name, address, weight, maxConnections, backup, sendProxyProtocol, source, healthCheck,
                unchecked);
    }

    /**
     * This server with a limit of {@code connections} open at once (0, the default: none). Past
     * it, a connection goes to another server, or waits in the group's queue for up to its
     * {@linkplain UpstreamGroup.Builder#queueTimeout queue timeout}.
     */
    public ServerSpec maxConnections(int connections) {
        return new ServerSpec(name, address, weight, connections, backup, sendProxyProtocol, source, healthCheck,
                unchecked);
    }

    /** This server as a backup (true) or a primary (false, the default). */
    public ServerSpec backup(boolean backup) {
        return new ServerSpec(name, address, weight, maxConnections, backup, sendProxyProtocol, source, healthCheck,
                unchecked);
    }

    /** This server sent a PROXY protocol header (HAProxy's {@code send-proxy}, {@code send-proxy-v2}); default: the group's. */
    public ServerSpec sendProxyProtocol(ProxyProtocolSend send) {
        return new ServerSpec(name, address, weight, maxConnections, backup, Objects.requireNonNull(send, "send"),
                source, healthCheck, unchecked);
    }

    /**
     * Connections to this server leave from {@code from} (HAProxy's {@code source} on a server
     * line), the port left to the connect; default: the proxy's source pool, or the kernel's choice.
     */
    public ServerSpec source(InetAddress from) {
        return new ServerSpec(name, address, weight, maxConnections, backup, sendProxyProtocol,
                Objects.requireNonNull(from, "source"), healthCheck, unchecked);
    }

    /**
     * This server checked with settings of its own (HAProxy's {@code check inter ... rise ... fall}
     * on a server line), whether or not the group checks its servers; default: the group's.
     */
    public ServerSpec healthCheck(HealthCheck check) {
        return new ServerSpec(name, address, weight, maxConnections, backup, sendProxyProtocol, source,
                Objects.requireNonNull(check, "healthCheck"), false);
    }

    /**
     * This server never checked, even in a group that checks (a server line without HAProxy's
     * {@code check}): it is taken as up until its connects fail (passive ejection still applies).
     */
    public ServerSpec unchecked() {
        return new ServerSpec(name, address, weight, maxConnections, backup, sendProxyProtocol, source, null, true);
    }

    /** The PROXY protocol header this server is sent, if set for it. */
    public Optional<ProxyProtocolSend> proxyProtocol() {
        return Optional.ofNullable(sendProxyProtocol);
    }

    /** The address its connections leave from, if set for it. */
    public Optional<InetAddress> sourceAddress() {
        return Optional.ofNullable(source);
    }

    /** Its own check settings, if set for it. */
    public Optional<HealthCheck> ownHealthCheck() {
        return Optional.ofNullable(healthCheck);
    }

    /** Whether it is never checked ({@link #unchecked()}). */
    public boolean isUnchecked() {
        return unchecked;
    }

    /** The checks it gets in a group whose own checks are {@code groupCheck} (null: none); null for none. */
    HealthCheck effectiveCheck(HealthCheck groupCheck) {
        return unchecked ? null : healthCheck != null ? healthCheck : groupCheck;
    }

    /** The name, unique in its group. */
    public String name() {
        return name;
    }

    /** The address. */
    public InetSocketAddress address() {
        return address;
    }

    /** The weight. */
    public int weight() {
        return weight;
    }

    /** The connection limit; 0 for none. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Whether this is a backup server. */
    public boolean isBackup() {
        return backup;
    }

    /** Checks the values, naming this server in the error. */
    void validate() {
        if (name.isBlank()) {
            throw new InvalidSettingException("server name", name, "a non-blank name");
        }
        checkWeight(name, weight);
        if (maxConnections < 0) {
            throw InvalidSettingException.outOfRange("server " + name + " maxConnections", maxConnections, 0,
                    Integer.MAX_VALUE, "(0: no limit)");
        }
    }

    static void checkWeight(String server, int weight) {
        if (weight < 1 || weight > UpstreamGroup.MAX_WEIGHT) {
            throw InvalidSettingException.outOfRange("server " + server + " weight", weight, 1, UpstreamGroup.MAX_WEIGHT,
                    "");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerSpec other && name.equals(other.name) && address.equals(other.address)
                && weight == other.weight && maxConnections == other.maxConnections && backup == other.backup
                && Objects.equals(sendProxyProtocol, other.sendProxyProtocol) && Objects.equals(source, other.source)
                && Objects.equals(healthCheck, other.healthCheck) && unchecked == other.unchecked;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, weight, maxConnections, backup);
    }

    @Override
    public String toString() {
        return name + " " + address.getHostString() + ":" + address.getPort() + " weight " + weight
                + (maxConnections > 0 ? " max-conn " + maxConnections : "") + (backup ? " backup" : "")
                + (sendProxyProtocol != null ? " send-proxy v" + sendProxyProtocol.version() : "")
                + (source != null ? " source " + source.getHostAddress() : "")
                + (unchecked ? " unchecked" : healthCheck != null ? " check " + healthCheck : "");
    }
}
