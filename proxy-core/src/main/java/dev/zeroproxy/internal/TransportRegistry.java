package dev.zeroproxy.internal;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the transports on the classpath once, and answers {@link Transport}'s static look-ups. */
public final class TransportRegistry {
    private static final Logger LOGGER = LoggerFactory.getLogger(TransportRegistry.class);

    private TransportRegistry() { }

    private static final class Holder {
        static final List<Transport> ALL = load();
    }

    private static List<Transport> load() {
        List<Transport> found = new ArrayList<>();
        found.add(NioTransport.INSTANCE);
        ServiceLoader<Transport> loader = ServiceLoader.load(Transport.class, Transport.class.getClassLoader());
        var it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                Transport t = it.next();
                if (found.stream().noneMatch(known -> known.name().equals(t.name()))) {
                    found.add(t);
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                // A broken transport module must not take the portable transport down with it.
                LOGGER.warn("Skipping a transport that failed to load: {}", e.toString());
            }
        }
        found.sort(Comparator.comparingInt(Transport::rank));
        return List.copyOf(found);
    }

    /** Every transport found, best first. */
    public static List<Transport> all() {
        return Holder.ALL;
    }

    /** The first available transport that supports {@code mode}. */
    public static Transport best(Forwarding mode) {
        for (Transport t : Holder.ALL) {
            if (t.isAvailable() && t.supports(mode)) {
                return t;
            }
        }
        String why = Holder.ALL.stream()
                .filter(t -> t.supports(mode))
                .map(t -> t.name() + ": " + causeOf(t))
                .collect(Collectors.joining("; "));
        throw new IllegalStateException("no available transport supports " + mode
                + (why.isEmpty() ? " (add proxy-epoll to the classpath, on Linux)" : " (" + why + ")"));
    }

    /** The transport with this name. */
    public static Transport named(String name) {
        for (Transport t : Holder.ALL) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new InvalidSettingException("transport", name, "one of: "
                + Holder.ALL.stream().map(Transport::name).collect(Collectors.joining(", ")));
    }

    private static String causeOf(Transport t) {
        Throwable cause = t.unavailabilityCause();
        return cause == null ? "available" : String.valueOf(cause.getMessage());
    }
}
