package dev.zeroproxy.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the reset matrix: which side resets its connection, at which phase of the
 * relay's life, and what the other end must then see. {@link #all()} is the seeded table the
 * relay suite runs for every transport and forwarding mode.
 *
 * @param phase when the reset comes
 * @param resetting the side whose socket sends the reset
 * @param seed the seed of the random payload the resetting side sends
 */
public record ResetCase(Phase phase, Side resetting, long seed) {

    /** The two peers of a proxied connection. */
    public enum Side {
        CLIENT, UPSTREAM;

        /** The peer on the other side of the proxy. */
        public Side other() {
            return this == CLIENT ? UPSTREAM : CLIENT;
        }
    }

    /** How the end of the other peer's read side may look. */
    public enum Ending {
        /** The stream was cut: a reset after a byte-exact prefix. */
        RESET,
        /** The whole stream, then a clean EOF. */
        COMPLETE_EOF
    }

    /** When the reset comes, relative to what the relay is doing. */
    public enum Phase {
        /**
         * The client sends, then resets, while the proxy's upstream connect is still pending (its
         * SYN was dropped by a full accept queue). Client side only.
         */
        BEFORE_UPSTREAM_CONNECTS(List.of(Ending.RESET)),
        /**
         * A short preamble and 1 MiB in large writes, then a reset, at once after the connection
         * opens: from the client, the proxy may still hold early bytes, or be connecting, when the
         * reset arrives; from the upstream, just after the proxy saw its connect complete.
         */
        RIGHT_AFTER_OPEN(List.of(Ending.RESET)),
        /**
         * The upstream resets the moment it accepts, having sent nothing; the reset may come before
         * the proxy has seen its connect complete (the connect then fails). Upstream side only: a
         * client reset before the proxy accepted may never reach the upstream at all.
         */
        AT_ONCE(List.of(Ending.RESET)),
        /** After a first chunk was relayed, a few more KiB, then a reset: well inside a copy. */
        MID_COPY(List.of(Ending.RESET)),
        /** Just under the AUTO threshold relayed, then 64 KiB that cross it, then a reset. */
        AT_AUTO_SWITCH(List.of(Ending.RESET)),
        /** The other end stops reading; the resetting side sends until the path is full, then resets. */
        SINK_BLOCKED(List.of(Ending.RESET)),
        /**
         * As SINK_BLOCKED, but the resetting side shuts its output (FIN) before the reset: the
         * proxy is passing on an end of stream (the splice drain, or the final flush) when the
         * reset arrives. The stream itself was complete, so the other end may see it whole with
         * its EOF, or cut with a reset; never a cut stream with an EOF.
         */
        AFTER_FIN_SINK_BLOCKED(List.of(Ending.RESET, Ending.COMPLETE_EOF)),
        /** The other end half-closed first (its direction finished); then the reset comes mid-stream. */
        AFTER_OTHER_HALF_CLOSED(List.of(Ending.RESET));

        private final List<Ending> allowed;

        Phase(List<Ending> allowed) {
            this.allowed = allowed;
        }

        /** The endings the other peer may see in this phase. */
        public List<Ending> allowedEndings() {
            return allowed;
        }

        /** Whether this phase can be staged with {@code side} resetting. */
        public boolean appliesTo(Side side) {
            return switch (this) {
                case BEFORE_UPSTREAM_CONNECTS -> side == Side.CLIENT;
                case AT_ONCE -> side == Side.UPSTREAM;
                default -> true;
            };
        }
    }

    /** The matrix: every phase with every side it applies to, each with its own seed. */
    public static List<ResetCase> all() {
        List<ResetCase> cases = new ArrayList<>();
        long seed = 9_000;
        for (Phase phase : Phase.values()) {
            for (Side side : Side.values()) {
                if (phase.appliesTo(side)) {
                    cases.add(new ResetCase(phase, side, seed++));
                }
            }
        }
        return cases;
    }

    @Override
    public String toString() {
        return resetting + " resets " + phase;
    }
}
