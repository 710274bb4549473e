package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Forwarding;

/**
 * The values of {@code --mode}. Kept apart from {@link Forwarding} because the command line's
 * {@code auto} has a fallback the library's {@link Forwarding#AUTO} has not: see
 * {@link TransportSelection}.
 */
public enum ModeOption {
    /** Splice bulk transfers when a transport can, else copy. */
    AUTO,
    /** Always {@link Forwarding#COPY}. */
    COPY,
    /** Always {@link Forwarding#SPLICE}. */
    SPLICE;

    /** The library mode this option names, taken literally. */
    Forwarding forwarding() {
        return switch (this) {
            case AUTO -> Forwarding.AUTO;
            case COPY -> Forwarding.COPY;
            case SPLICE -> Forwarding.SPLICE;
        };
    }
}
