package dev.zeroproxy.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of one {@link Pump} (one direction of a relay) and the only transitions between
 * them: the state diagram of docs/architecture.md, as code.
 *
 * <pre>
 *  WAITING ──start──► COPYING ──AUTO threshold──► SPLICING ──source EOF──► DRAINING
 *     │                  │                           │                        │
 *     │ start (SPLICE) ──┼──────────────────────────►┘                        │
 *     │                  │ source EOF                │ source closed          │ tail read
 *     └── start after ───┴────────────► ENDING ◄─────┴────────────────────────┘
 *         an early EOF                     │ everything before the EOF written,
 *                                          ▼ sink's output shut
 *                                       FINISHED  (also from any state: the sink is gone)
 * </pre>
 *
 * <p>A relay that aborts or is closed does not move its pumps: it closes both channels and
 * the pumps are dropped with them.
 */
enum PumpState {
    /**
     * The upstream is not connected yet. What the source reads is held (epoll reads a peer's
     * FIN and the data before it even with reads off, and a channel registered with reading
     * allowed reads one buffer), with its end of stream, never dropped.
     */
    WAITING,
    /** Each buffer the source reads is written to the sink as is. */
    COPYING,
    /** The kernel splices source to sink; the pump only counts. */
    SPLICING,
    /**
     * A splicing source reached its end of stream with bytes possibly still queued in its
     * socket: they are read out and queued behind the splices, as fast as the sink takes them.
     */
    DRAINING,
    /** The source has no more bytes: flushing what is queued, then shutting the sink's output. */
    ENDING,
    /** The sink's output is shut after the last byte, or the sink is gone: nothing more to do. */
    FINISHED;

    private Set<PumpState> next;

    static {
        WAITING.next = EnumSet.of(COPYING, SPLICING, ENDING, FINISHED);
        COPYING.next = EnumSet.of(SPLICING, ENDING, FINISHED);
        SPLICING.next = EnumSet.of(DRAINING, ENDING, FINISHED);
        DRAINING.next = EnumSet.of(ENDING, FINISHED);
        ENDING.next = EnumSet.of(FINISHED);
        FINISHED.next = EnumSet.noneOf(PumpState.class);
    }

    /** Whether the diagram has an arrow from this state to {@code target}. */
    boolean canMoveTo(PumpState target) {
        return next.contains(target);
    }

    /** Whether bytes read now go to the sink (by buffer or by splice). */
    boolean isForwarding() {
        return this == COPYING || this == SPLICING;
    }

    /** Whether the source's end of stream has been seen (or the direction is over). */
    boolean isSourceEnded() {
        return this == DRAINING || this == ENDING || this == FINISHED;
    }
}
