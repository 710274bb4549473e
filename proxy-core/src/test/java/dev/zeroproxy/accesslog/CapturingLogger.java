package dev.zeroproxy.accesslog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An SLF4J logger that keeps its INFO messages, for tests that read an access log's lines back. */
final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient List<String> lines = new CopyOnWriteArrayList<>();
    private final boolean infoEnabled;

    CapturingLogger(boolean infoEnabled) {
        this.name = "zeroproxy.access.test";
        this.infoEnabled = infoEnabled;
    }

    List<String> lines() {
        return lines;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] arguments,
            Throwable throwable) {
        if (level != Level.INFO) {
            throw new AssertionError("an access log writes at INFO only, got " + level + ": " + message);
        }
        lines.add(MessageFormatter.basicArrayFormat(message, arguments));
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public boolean isInfoEnabled() {
        return infoEnabled;
    }

    @Override
    public boolean isWarnEnabled() {
        return infoEnabled;
    }

    @Override
    public boolean isErrorEnabled() {
        return infoEnabled;
    }
}
