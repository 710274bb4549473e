package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Transport;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns {@code --transport} and {@code --mode} into the transport and forwarding mode a proxy
 * is built with.
 *
 * <ul>
 *   <li>{@code --transport auto} takes {@link Transport#best(Forwarding)} for the mode; there,
 *       mode {@code auto} (also the default) means {@link Forwarding#AUTO} if some available
 *       transport can do it, else {@link Forwarding#COPY}, so that the plain command works on
 *       every machine.
 *   <li>A named transport must be on the classpath and available here. With no {@code --mode}
 *       it gets {@link Forwarding#AUTO} if it can do it, else {@link Forwarding#COPY}; an
 *       explicit {@code --mode} is taken literally, and the proxy builder refuses a mode the
 *       transport cannot do, with a message naming a transport that can.
 * </ul>
 *
 * @param transport the transport to build the proxy with
 * @param forwarding the forwarding mode to build the proxy with
 */
public record TransportSelection(Transport transport, Forwarding forwarding) {
    /** The {@code --transport} value that picks the best available transport. */
    public static final String AUTO = "auto";

    /** Checks that no component is null. */
    public TransportSelection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(forwarding, "forwarding");
    }

    /**
     * Resolves the two options.
     *
     * @param transportName {@code auto} or a transport name, case-insensitive
     * @param mode the {@code --mode} given, or {@code null} when it was not
     * @throws IllegalArgumentException naming the option, its value and what was expected
     */
    public static TransportSelection resolve(String transportName, ModeOption mode) {
        Objects.requireNonNull(transportName, "transportName");
        if (transportName.equalsIgnoreCase(AUTO)) {
            return bestFor(mode);
        }
        Transport named = Transport.all().stream()
                .filter(t -> t.name().equalsIgnoreCase(transportName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--transport: '" + transportName
                        + "' is not a transport of this build (expected one of: " + knownNames() + ")"));
        if (!named.isAvailable()) {
            Throwable cause = named.unavailabilityCause();
            throw new IllegalArgumentException("--transport: " + named.name() + " is not available here ("
                    + (cause == null ? "no reason given" : cause.getMessage()) + ") (expected one of: "
                    + availableNames() + ")");
        }
        if (mode == null) {
            return new TransportSelection(named, named.supports(Forwarding.AUTO) ? Forwarding.AUTO : Forwarding.COPY);
        }
        return new TransportSelection(named, mode.forwarding());
    }

    private static TransportSelection bestFor(ModeOption mode) {
        if (mode == null || mode == ModeOption.AUTO) {
            boolean autoPossible = Transport.all().stream().anyMatch(t -> t.isAvailable() && t.supports(Forwarding.AUTO));
            Forwarding forwarding = autoPossible ? Forwarding.AUTO : Forwarding.COPY;
            return new TransportSelection(Transport.best(forwarding), forwarding);
        }
        Forwarding forwarding = mode.forwarding();
        try {
            return new TransportSelection(Transport.best(forwarding), forwarding);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("--mode " + mode.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
        }
    }

    private static String knownNames() {
        return AUTO + ", " + Transport.all().stream().map(Transport::name).collect(Collectors.joining(", "));
    }

    private static String availableNames() {
        return AUTO + ", " + Transport.all().stream()
                .filter(Transport::isAvailable)
                .map(Transport::name)
                .collect(Collectors.joining(", "));
    }
}
