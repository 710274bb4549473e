package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.upstream.ServerSpec;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads one {@code --upstream}: {@code HOST:PORT[,weight=N][,backup][,max-conn=N]}, e.g.
 * {@code 10.0.0.7:5432,weight=2,max-conn=100}. The server is named by its {@code HOST:PORT} as
 * written (what the log and the state lines show). The address part is read as
 * {@link HostPortConverter} reads it; each option at most once.
 *
 * <p>Stateless and thread-safe.
 */
public final class UpstreamOptionConverter implements ITypeConverter<ServerSpec> {
    static final String FORM = "HOST:PORT[,weight=1.." + UpstreamGroup.MAX_WEIGHT + "][,backup][,max-conn=N]";

    /** For picocli, which instantiates converters itself. */
    public UpstreamOptionConverter() { }

    @Override
    public ServerSpec convert(String value) {
        return parse(value);
    }

    /**
     * Parses {@code text} as described on the class.
     *
     * @throws TypeConversionException naming the text, the part that is wrong and the expected form
     */
    public static ServerSpec parse(String text) {
        String[] parts = text.split(",", -1);
        InetSocketAddress address = HostPortConverter.parse(parts[0]);
        if (address.getPort() == 0) {
            throw new TypeConversionException("'" + text + "': port 0 cannot be connected to (expected: a port 1..65535)");
        }
        ServerSpec spec = ServerSpec.of(parts[0], address);
        boolean weight = false;
        boolean backup = false;
        boolean maxConn = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.equals("backup")) {
                backup = once(text, "backup", backup);
                spec = spec.backup(true);
            } else if (part.startsWith("weight=")) {
                weight = once(text, "weight", weight);
                spec = spec.weight(number(text, "weight", part.substring(7), 1, UpstreamGroup.MAX_WEIGHT));
            } else if (part.startsWith("max-conn=")) {
                maxConn = once(text, "max-conn", maxConn);
                spec = spec.maxConnections(number(text, "max-conn", part.substring(9), 0, Integer.MAX_VALUE));
            } else {
                throw bad(text, part.isEmpty() ? "an empty option" : "unknown option '" + part + "'");
            }
        }
        return spec;
    }

    private static boolean once(String text, String option, boolean seen) {
        if (seen) {
            throw bad(text, option + " given twice");
        }
        return true;
    }

    private static int number(String text, String option, String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(text, option + " '" + value + "' is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw bad(text, option + " " + value + " is out of range " + min + ".." + max);
        }
        return (int) parsed;
    }

    private static TypeConversionException bad(String text, String problem) {
        return new TypeConversionException("'" + text + "': " + problem + " (expected: " + FORM + ")");
    }
}
