package dev.zeroproxy.internal;

/**
 * The size of the next read's buffer, adapted to what the reads before it filled: the policy
 * of Netty's {@code AdaptiveRecvByteBufAllocator} with its defaults (64 B to 64 KiB, starting at
 * 2 KiB), kept as one {@code int} per channel instead of the two objects Netty's handle holds.
 *
 * <p>Why not Netty's: with 9,000 idle pairs, each channel that had read once kept Netty's handle
 * (56 B), its calculator (40 B) and a supplier (16 B) besides ours; the state they carry is an
 * index and a flag. The policy is the same, step for step ({@code ReadSizesTest} drives both):
 * a read that filled its buffer (or a read pass that took at least the current size) grows the
 * size by four steps of the table; two reads in a row that would have fit one step lower
 * shrink it by one.
 *
 * <p>A state is {@code index << 1 | shrinkNext}; {@link #INITIAL} is where every channel starts.
 */
final class ReadSizes {
    /** 16 to 496 in steps of 16, then powers of two from 512 up: the steps sizes move along. */
    private static final int[] STEPS = steps();
    private static final int MIN_INDEX = indexOf(64);
    private static final int MAX_INDEX = indexOf(64 * 1024);
    /** The state of a channel that has not read yet: 2 KiB, no shrink pending. */
    static final int INITIAL = indexOf(2048) << 1;

    private ReadSizes() { }

    /** The buffer size to read into next. */
    static int size(int state) {
        return STEPS[state >>> 1];
    }

    /** The state after a read (or a read pass) that took {@code bytes}. */
    static int record(int state, int bytes) {
        int index = state >>> 1;
        boolean shrinkNext = (state & 1) != 0;
        if (bytes <= STEPS[Math.max(0, index - 1)]) {
            // Shrinking on the first small read would make a channel whose reads alternate in size
            // keep reallocating; only the second in a row counts.
            return shrinkNext ? Math.max(index - 1, MIN_INDEX) << 1 : index << 1 | 1;
        }
        if (bytes >= STEPS[index]) {
            return Math.min(index + 4, MAX_INDEX) << 1;
        }
        return state;
    }

    private static int[] steps() {
        int[] steps = new int[31 + 22];
        int n = 0;
        for (int size = 16; size < 512; size += 16) {
            steps[n++] = size;
        }
        for (int size = 512; size > 0 && n < steps.length; size <<= 1) {
            steps[n++] = size;
        }
        return steps;
    }

    private static int indexOf(int size) {
        for (int i = 0; i < STEPS.length; i++) {
            if (STEPS[i] == size) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a step: " + size);
    }
}
