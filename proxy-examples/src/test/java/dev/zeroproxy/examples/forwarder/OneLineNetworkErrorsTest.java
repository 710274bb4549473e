package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code %networkEx}: a network error is one line, anything else its whole stack trace, and at
 * trace everything whole.
 */
class OneLineNetworkErrorsTest {

    private static String render(Throwable thrown, boolean fullTraces) {
        LoggerContext context = new LoggerContext();
        Map<String, Supplier<DynamicConverter>> rules = Map.of("networkEx", OneLineNetworkErrors::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        context.putProperty(OneLineNetworkErrors.FULL_TRACES, Boolean.toString(fullTraces));
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern("%msg%n%networkEx");
        layout.start();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.WARN, "it failed", thrown,
                null);
        return layout.doLayout(event);
    }

    @Test
    void aNetworkErrorIsOneIndentedLine() {
        String text = render(new ConnectException("Connection refused"), false);
        assertEquals("it failed" + System.lineSeparator() + "    java.net.ConnectException: Connection refused"
                + System.lineSeparator(), text);
    }

    @Test
    void oneWrappingANetworkErrorToo() {
        String text = render(new IllegalStateException("pipeline", new IOException("Broken pipe")), false);
        assertEquals(2, text.lines().count(), text);
    }

    @Test
    void aBugKeepsItsStackTrace() {
        String text = render(new IllegalStateException("a bug"), false);
        assertTrue(text.contains("java.lang.IllegalStateException: a bug") && text.contains("\tat "), text);
    }

    @Test
    void atTraceEveryTraceIsWhole() {
        String text = render(new ConnectException("Connection refused"), true);
        assertTrue(text.contains("\tat "), text);
    }
}
