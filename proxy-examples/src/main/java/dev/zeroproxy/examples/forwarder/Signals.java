package dev.zeroproxy.examples.forwarder;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import sun.misc.Signal;

/**
 * The signals the forwarder answers, delivered to one thread as they arrive, in order.
 *
 * <p>Why {@code sun.misc.Signal}: the JVM's own handling of SIGINT/SIGTERM runs shutdown hooks,
 * during which a second signal can only block (so it could never force the stop), SIGHUP
 * stops the JVM, SIGUSR1 kills it (exit 138), and an unhandled SIGUSR2 aborts it (exit 134,
 * with an {@code hs_err} file). Handling all five here gives each the meaning documented in
 * the README. {@code sun.misc.Signal} is in the {@code jdk.unsupported} module, which every
 * JDK since 9 still exports for this.
 *
 * <p>SIGUSR2 is handled only when the JVM was told to suspend its threads with another signal
 * ({@value #SUSPEND_SIGNAL_VARIABLE}, which the {@code zeroproxy} launcher sets): HotSpot on
 * Linux suspends threads with SIGUSR2 by default, JDK Flight Recorder's sampler among others,
 * and a handler of ours would then take the JVM's own signals (a status line per sample, and
 * samples lost).
 */
final class Signals {
    /** The signals always handled, by their names without "SIG". */
    static final String[] NAMES = {"INT", "TERM", "HUP", "USR1"};
    /** HotSpot's variable naming the signal it suspends threads with, SIGUSR2 when unset. */
    static final String SUSPEND_SIGNAL_VARIABLE = "_JAVA_SR_SIGNUM";

    private final BlockingQueue<Signal> received = new LinkedBlockingQueue<>();

    /** Replaces the JVM's handling of every signal in {@link #NAMES}. */
    static Signals install() {
        Signals signals = new Signals();
        for (String name : NAMES) {
            // The handler runs on the JVM's signal dispatcher thread: hand over, do nothing there.
            Signal.handle(new Signal(name), signals.received::add);
        }
        if (usr2IsFree(System.getenv(SUSPEND_SIGNAL_VARIABLE))) {
            Signal.handle(new Signal("USR2"), signals.received::add);
        }
        return signals;
    }

    /** Whether the JVM suspends its threads with a signal other than SIGUSR2, given {@value #SUSPEND_SIGNAL_VARIABLE}. */
    static boolean usr2IsFree(String suspendSignal) {
        if (suspendSignal == null || suspendSignal.isBlank()) {
            return false;
        }
        try {
            return Integer.parseInt(suspendSignal.trim()) != 12;
        } catch (NumberFormatException e) {
            return false; // HotSpot ignores a value it cannot read, and keeps SIGUSR2.
        }
    }

    /** The next signal, waiting for one as long as it takes. */
    Signal next() throws InterruptedException {
        return received.take();
    }

    /** Whether a signal asks the forwarder to stop: SIGINT or SIGTERM. */
    static boolean isStop(Signal signal) {
        return signal.getName().equals("INT") || signal.getName().equals("TERM");
    }
}
