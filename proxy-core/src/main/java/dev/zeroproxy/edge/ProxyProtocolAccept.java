package dev.zeroproxy.edge;

import dev.zeroproxy.InvalidSettingException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A listener that requires a PROXY protocol header (v1 or v2) from trusted proxies, and only
 * from them. As the spec demands, nothing is guessed: a connection from a source outside the
 * trusted list is refused before a byte is read (never served as if it were direct, and its
 * header never believed), and a trusted source that sends no valid header within the timeout is
 * refused too. {@code LOCAL} headers are accepted (the proxy's own connection: the socket's
 * addresses stand). A v2 header's CRC32C TLV, when present, is verified.
 *
 * <pre>{@code
 * Proxy.builder().acceptProxyProtocol(ProxyProtocolAccept.from("10.0.0.0/8", "127.0.0.1"))
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ProxyProtocolAccept {
    /** Default {@link #headerTimeout(Duration)}: HAProxy's {@code timeout client} is typical; 3 s is ours. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(3);
    /** Default most bytes of v2 TLVs a header may carry. */
    public static final int DEFAULT_MAX_TLV_BYTES = 4096;
    /** Largest {@link #maxTlvBytes(int)}. */
    public static final int MAX_TLV_BYTES = 65_535 - 216;

    private final List<String> trusted;
    private final AccessRules trust;
    private final Duration headerTimeout;
    private final int maxTlvBytes;

    private ProxyProtocolAccept(List<String> trusted, AccessRules trust, Duration headerTimeout, int maxTlvBytes) {
        this.trusted = trusted;
        this.trust = trust;
        this.headerTimeout = headerTimeout;
        this.maxTlvBytes = maxTlvBytes;
    }

    /**
     * Requires a header from every connection, and accepts connections only from these proxies.
     *
     * @param trustedCidrs addresses or CIDR blocks of the proxies in front (IPv4 or IPv6)
     * @throws InvalidSettingException naming a CIDR that does not parse, or none given
     */
    public static ProxyProtocolAccept from(String... trustedCidrs) {
        List<String> cidrs = List.of(trustedCidrs);
        if (cidrs.isEmpty()) {
            throw new InvalidSettingException("acceptProxyProtocol", "no trusted source",
                    "at least one trusted proxy address or CIDR");
        }
        try {
            AccessRules.Builder rules = AccessRules.builder();
            cidrs.forEach(rules::allow);
            rules.deny("all");
            return new ProxyProtocolAccept(cidrs, rules.build(), DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_TLV_BYTES);
        } catch (InvalidSettingException e) {
            // The rules' own words, under this setting's name.
            throw new InvalidSettingException("acceptProxyProtocol", e.value(), e.expected());
        }
    }

    /** These settings with a header timeout of {@code timeout} (default 3 s; at least 1 ms). */
    public ProxyProtocolAccept headerTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "headerTimeout");
        if (timeout.isNegative() || timeout.toMillis() < 1) {
            throw new InvalidSettingException("headerTimeout", timeout, ">= 1 ms");
        }
        return new ProxyProtocolAccept(trusted, trust, timeout, maxTlvBytes);
    }

    /**
     * These settings with at most {@code bytes} of v2 TLVs (default 4096; 0..65319: a v2 header is
     * at most 65,535 bytes after its fixed 16, of which Netty's decoder reserves the largest
     * address block, 216 bytes).
     */
    public ProxyProtocolAccept maxTlvBytes(int bytes) {
        if (bytes < 0 || bytes > MAX_TLV_BYTES) {
            throw InvalidSettingException.outOfRange("maxTlvBytes", bytes, 0, MAX_TLV_BYTES, "bytes");
        }
        return new ProxyProtocolAccept(trusted, trust, headerTimeout, bytes);
    }

    /** Whether a connection from {@code source} may send a header (and must). */
    public boolean trusts(InetAddress source) {
        return trust.allows(source);
    }

    /** The trusted proxies, as given. */
    public List<String> trusted() {
        return trusted;
    }

    /** How long a trusted proxy may take to send its header. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** The most bytes of v2 TLVs accepted. */
    public int maxTlvBytes() {
        return maxTlvBytes;
    }

    @Override
    public String toString() {
        return "accept PROXY v1/v2 from " + trusted + ", header within " + headerTimeout;
    }
}
