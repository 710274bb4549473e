package dev.zeroproxy.epoll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much enlarged splice-pipe capacity this process may hold at once.
 *
 * <p>Why: Linux charges every pipe's pages to its user. Once a user holds more than
 * {@code /proc/sys/fs/pipe-user-pages-soft} (16384 pages, 64 MiB, by default), every new pipe
 * of every process of that user gets two pages (8 KiB) and {@code F_SETPIPE_SZ} is refused,
 * unless the process has CAP_SYS_RESOURCE or CAP_SYS_ADMIN. Thirty-two spliced connections
 * with 1 MiB pipes would reach it. So enlarged pipes are kept within half the soft limit;
 * connections past that splice through Netty's default 64 KiB pipes, as they all did before
 * pipes were enlarged. Unlimited where the kernel sets no soft limit or exempts the process.
 *
 * <p>Thread-safe: pipes are enlarged and closed on every event loop.
 */
final class PipeBudget {
    /** The kernel's page size on the platforms the epoll transport loads on (x86_64). */
    static final int PAGE_SIZE = 4096;
    /** The soft limit's default, used when /proc cannot be read. */
    private static final long DEFAULT_SOFT_LIMIT_PAGES = 16384;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_SYS_RESOURCE = 24;

    /** The budget of this process, from /proc. */
    static final PipeBudget PROCESS = new PipeBudget(limitFor(softLimitPages(), privileged(capEff())));

    private final long limitBytes;
    private final AtomicLong inUseBytes = new AtomicLong();

    PipeBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /**
     * Half the soft limit, or unlimited ({@link Long#MAX_VALUE}) when the limit is 0 (off) or the
     * process is exempt from it.
     */
    static long limitFor(long softLimitPages, boolean privileged) {
        return privileged || softLimitPages <= 0 ? Long.MAX_VALUE : softLimitPages * PAGE_SIZE / 2;
    }

    /** Whether the effective capability set (hex, as /proc/self/status prints it) exempts the process. */
    static boolean privileged(String capEffHex) {
        if (capEffHex == null) {
            return false;
        }
        long caps = Long.parseUnsignedLong(capEffHex.trim(), 16);
        return (caps & (1L << CAP_SYS_RESOURCE)) != 0 || (caps & (1L << CAP_SYS_ADMIN)) != 0;
    }

    /** The bytes the kernel gives a pipe asked for {@code capacity}: the next power of two, at least a page. */
    static long kernelCapacity(int capacity) {
        long size = Math.max(PAGE_SIZE, capacity);
        long powerOfTwo = Long.highestOneBit(size);
        return powerOfTwo == size ? size : powerOfTwo << 1;
    }

    /** Takes {@code bytes} from the budget if they fit. */
    boolean tryAcquire(long bytes) {
        long used;
        do {
            used = inUseBytes.get();
            if (bytes > limitBytes - used) {
                return false;
            }
        } while (!inUseBytes.compareAndSet(used, used + bytes));
        return true;
    }

    /** Gives back what {@link #tryAcquire} took. */
    void release(long bytes) {
        inUseBytes.addAndGet(-bytes);
    }

    long limitBytes() {
        return limitBytes;
    }

    long inUseBytes() {
        return inUseBytes.get();
    }

    private static long softLimitPages() {
        try {
            // readAllLines, not readString: procfs reports size 0 and JDK 17's readString then reads 1 byte.
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/pipe-user-pages-soft")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return DEFAULT_SOFT_LIMIT_PAGES;
        }
    }

    private static String capEff() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : status) {
                if (line.startsWith("CapEff:")) {
                    return line.substring("CapEff:".length());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: assume no exemption, the safe side.
        }
        return null;
    }
}
