package dev.zeroproxy.examples.forwarder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.zeroproxy.accesslog.AccessLog;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code zeroproxy} binary's logging, set up by Logback when the first logger is made
 * (registered in {@code META-INF/services}); in code rather than a logback.xml because Joran's
 * XML set-up costs the forwarder a noticeable share of its start-up. These are the defaults
 * ({@code --log-level info}); {@link LogLevel} changes the levels, {@link AccessLogOutput}
 * gives the access log a destination. A {@code -Dlogback.configurationFile=...} still wins:
 * this then leaves the set-up to Logback's own.
 *
 * <ul>
 *   <li>The forwarder's own log goes to stderr, one line per event,
 *       {@code 2026-12-01 22:40:01.123 INFO  ForwardCommand: ...}, so that stdout carries only
 *       what a command prints as its result (the demo's table, an access log sent to stdout).
 *   <li>An exception logged with a line prints its stack trace, except a network error, which
 *       prints one line ({@link OneLineNetworkErrors}).
 *   <li>Netty's loggers stay at WARN: at debug it logs ~50 lines of start-up detail.
 *   <li>The engine's proxy start/stop lines ({@code ProxyServer}), an upstream group's state
 *       lines ({@code GroupHealth}) and a configuration's start and reload lines
 *       ({@code Deployment}) are at WARN: the forwarder's ready lines, stop summary, state-change
 *       and reload lines say the same.
 *   <li>The access logger ({@value AccessLog#LOGGER_NAME}) is off and detached from the rest:
 *       its lines go only where {@code --access-log} says.
 * </ul>
 */
public final class ForwarderLogging extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0}: %msg%n%networkEx";

    /** For Logback's service loader. */
    public ForwarderLogging() { }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Map<String, Supplier<DynamicConverter>> rules = new HashMap<>();
        rules.put("networkEx", OneLineNetworkErrors::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(stderr);
        LogLevel.INFO.applyTo(context);
        Logger access = context.getLogger(AccessLog.LOGGER_NAME);
        access.setLevel(Level.OFF);
        access.setAdditive(false);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
