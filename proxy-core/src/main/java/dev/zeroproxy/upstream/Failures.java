package dev.zeroproxy.upstream;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A connect failure in a few words, for state-change reasons and check details. */
final class Failures {
    /** Netty's native errors: "finishConnect(..) failed with error(-111): Connection refused". */
    private static final Pattern NATIVE_ERROR = Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-\\d+\\): (.*)$");
    /** The address Netty appends to connect errors: ": localhost/127.0.0.1:9001". */
    private static final Pattern ADDRESS_SUFFIX = Pattern.compile(": [^ ]*/[^ ]*:\\d+$");

    private Failures() { }

    /** {@code "connection refused"}: the operating system's reason, lower case, without Netty's wrapping or the address. */
    static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        message = ADDRESS_SUFFIX.matcher(message).replaceFirst("");
        Matcher nativeError = NATIVE_ERROR.matcher(message);
        if (nativeError.matches()) {
            message = nativeError.group(1);
        }
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }
}
