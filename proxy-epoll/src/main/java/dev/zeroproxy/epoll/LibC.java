package dev.zeroproxy.epoll;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The one libc call Netty does not expose: {@code fcntl}, for a pipe's capacity.
 *
 * <p>Bound with JNA's direct mapping, which costs about as much as a JNI call. Where JNA cannot
 * load (no native library for the platform, a {@code noexec} temporary directory),
 * {@link #unavailabilityCause()} says why and nothing else here may be called; where the JNA
 * jar is missing altogether, touching this class throws {@link NoClassDefFoundError}.
 */
final class LibC {
    /** {@code F_SETPIPE_SZ} from {@code <fcntl.h>}: sets a pipe's capacity, returns the capacity set. */
    static final int F_SETPIPE_SZ = 1031;
    /** {@code F_GETPIPE_SZ} from {@code <fcntl.h>}: returns a pipe's capacity. */
    static final int F_GETPIPE_SZ = 1032;

    private static final Throwable UNAVAILABILITY_CAUSE = register();

    private LibC() { }

    private static Throwable register() {
        try {
            Native.register(LibC.class, Platform.C_LIBRARY_NAME);
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e;
        }
    }

    /** Why {@link #fcntl} cannot be called, or null when it can. */
    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * {@code fcntl(fd, F_SETPIPE_SZ, capacity)}: the capacity the pipe has now, or the negated
     * errno if the kernel refused. Callers need no JNA type, so they link without JNA.
     */
    static int setPipeSize(int fd, int capacity) {
        try {
            return fcntl(fd, F_SETPIPE_SZ, capacity);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * {@code fcntl(fd, cmd, arg)} for the commands that take an int.
     *
     * @throws LastErrorException carrying errno when the call fails
     */
    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;
}
