package dev.zeroproxy.examples.forwarder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.zeroproxy.accesslog.AccessLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.LoggerFactory;

/**
 * Where {@code --access-log} sends the {@value AccessLog#LOGGER_NAME} logger's lines: stdout
 * ({@code -}) or a file, appended to (created if missing), one line each, nothing else. The
 * lines are written by Logback's asynchronous appender on its own thread, so that an event loop
 * never waits on a disk: it queues up to {@value #QUEUE_LINES} lines, and past that a line is
 * dropped rather than the event loop blocked, and the drops are reported on the forwarder's log. {@link #close()} writes what is queued and closes
 * the file. Without {@code --access-log} the logger stays off ({@link ForwarderLogging}).
 */
final class AccessLogOutput implements AutoCloseable {
    /** Lines waiting for the writer thread at most; about 8 MiB at the worst. */
    static final int QUEUE_LINES = 8192;

    private final Logger logger;
    private final CountingAsyncAppender async;

    private AccessLogOutput(Logger logger, CountingAsyncAppender async) {
        this.logger = logger;
        this.async = async;
    }

    /**
     * Opens {@code destination} ({@code -} for stdout, else a file path) and routes the access
     * logger there.
     *
     * @throws IllegalArgumentException naming the path and why it cannot be opened for appending
     * @throws IllegalStateException if SLF4J is not bound to Logback (a test's class path)
     */
    static AccessLogOutput open(String destination) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("--access-log needs Logback as the SLF4J binding, found "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        OutputStream stream = destination.equals("-") ? stdout() : appendTo(destination);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> writer = new OutputStreamAppender<>();
        writer.setContext(context);
        writer.setName("access-log-writer");
        writer.setEncoder(encoder);
        writer.setImmediateFlush(true); // on the writer thread: a line is in the file once written
        writer.setOutputStream(stream);
        writer.start();
        CountingAsyncAppender async = new CountingAsyncAppender();
        async.setContext(context);
        async.setName("access-log");
        async.setQueueSize(QUEUE_LINES);
        async.setDiscardingThreshold(0); // never drop INFO lines early, as it does by default at 80%
        async.setNeverBlock(true);
        async.setMaxFlushTime(5_000);
        async.addAppender(writer);
        async.start();
        Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
        logger.setAdditive(false);
        logger.addAppender(async);
        logger.setLevel(Level.INFO);
        return new AccessLogOutput(logger, async);
    }

    /** Turns the access logger off again, writes the lines still queued, and closes the file. */
    @Override
    public void close() {
        logger.setLevel(Level.OFF);
        logger.detachAppender(async);
        async.stop(); // waits up to the max flush time for the queue, then stops (closes) the writer
    }

    private static OutputStream appendTo(String path) {
        try {
            return Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw cannotOpen(path, "no such directory");
        } catch (AccessDeniedException e) {
            throw cannotOpen(path, "permission denied");
        } catch (FileSystemException e) {
            throw cannotOpen(path, e.getReason() != null ? e.getReason() : e.toString());
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw cannotOpen(path, e.getMessage());
        }
    }

    private static IllegalArgumentException cannotOpen(String path, String why) {
        return new IllegalArgumentException("--access-log: cannot open " + path + " for appending: " + why
                + " (expected: a file this user may create or append to, or - for stdout)");
    }

    /** System.out as it is at each write (the live line may wrap it), never closed by the appender. */
    private static OutputStream stdout() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                System.out.write(bytes, offset, length);
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {
                System.out.flush();
            }
        };
    }
}
