package dev.zeroproxy.examples.forwarder;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.CoreConstants;
import java.io.IOException;

/**
 * The forwarder's {@code %networkEx} ({@link ForwarderLogging}): an exception logged with a line is printed
 * as its stack trace, except an ordinary network error (an {@link IOException}: a reset, a
 * refused or timed-out connect, a broken pipe), which is printed as one indented line, its
 * {@code toString()}, since a client's or server's network failure is not a bug and its trace
 * says nothing. At {@code --log-level trace} (for bug reports) every trace is printed whole.
 *
 * <p>A safety net: the forwarder and the engine already log such errors without their
 * exception; this catches one that reaches a logger anyway (Netty's, say).
 */
final class OneLineNetworkErrors extends ThrowableProxyConverter {

    /** The logger context's property that asks for every trace whole; set by {@link LogLevel}. */
    static final String FULL_TRACES = "zeroproxy.fullTraces";

    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy proxy = event.getThrowableProxy();
        if (proxy instanceof ThrowableProxy thrown && isNetworkError(thrown.getThrowable())
                && !"true".equals(getContext().getProperty(FULL_TRACES))) {
            return "    " + thrown.getThrowable() + CoreConstants.LINE_SEPARATOR;
        }
        return super.convert(event);
    }

    /** An I/O error, or one whose root cause is (Netty wraps some). */
    static boolean isNetworkError(Throwable error) {
        Throwable root = error;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
            root = root.getCause();
        }
        return error instanceof IOException || root instanceof IOException;
    }
}
