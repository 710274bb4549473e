package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.Transport;
import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code zeroproxy --version} prints: this build's version and commit, the Netty and Java
 * it runs on, and the transports available on this machine (with the forwarding modes each
 * can do), which is what a bug report needs.
 */
public final class VersionProvider implements IVersionProvider {

    /** For picocli. */
    public VersionProvider() { }

    @Override
    public String[] getVersion() {
        List<String> lines = new ArrayList<>();
        lines.add("zeroproxy " + orUnknown(Proxy.class.getPackage().getImplementationVersion()) + " (commit "
                + commit() + ")");
        Version netty = Version.identify().get("netty-common");
        lines.add("Netty " + (netty == null ? "unknown" : netty.artifactVersion()));
        lines.add("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")");
        lines.add("transports: " + transports());
        return lines.toArray(String[]::new);
    }

    /** The build's commit from git.properties (written at build time), with "+changes" if the tree was dirty. */
    private static String commit() {
        Properties git = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("git.properties")) {
            if (in == null) {
                return "unknown";
            }
            git.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        String id = git.getProperty("git.commit.id.abbrev");
        if (id == null || id.isBlank()) {
            return "unknown";
        }
        return id + ("true".equals(git.getProperty("git.dirty")) ? "+changes" : "");
    }

    private static String transports() {
        StringBuilder out = new StringBuilder();
        for (Transport transport : Transport.all()) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(transport.name());
            if (!transport.isAvailable()) {
                out.append(" (unavailable: ").append(transport.unavailabilityCause() == null ? "no cause given"
                        : transport.unavailabilityCause().getMessage()).append(')');
            } else if (transport.supports(Forwarding.SPLICE)) {
                out.append(" (copy, splice, auto)");
            } else {
                out.append(" (copy)");
            }
        }
        return out.toString();
    }

    private static String orUnknown(String value) {
        return value == null ? "unknown (not run from a jar)" : value;
    }
}
