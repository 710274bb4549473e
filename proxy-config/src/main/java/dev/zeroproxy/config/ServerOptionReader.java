package dev.zeroproxy.config;

import java.util.List;
import java.util.function.Function;

/**
 * Reads the options of a {@code server} or {@code default-server} line onto a {@link ServerOptions}.
 * Stops at the first wrong option: what follows an option it does not know would be read as more
 * options (the {@code abc} of {@code cookie abc}), each one a confusing error of its own.
 *
 * <p>Besides the options of the specification, reads HAProxy's {@code no-check}, {@code no-backup},
 * {@code no-send-proxy} and {@code no-send-proxy-v2}, without which a server could not turn off
 * what a {@code default-server} line turned on.
 */
final class ServerOptionReader {
    static final List<String> SUPPORTED = List.of("weight", "check", "no-check", "inter", "rise", "fall", "maxconn",
            "backup", "no-backup", "send-proxy", "send-proxy-v2", "no-send-proxy", "no-send-proxy-v2", "source");
    private static final String EXPECTED = "server options: " + String.join(", ", SUPPORTED);

    private ServerOptionReader() { }

    /** Reads the options from argument {@code from} on. */
    static void read(Statement line, int from, ServerOptions options) {
        for (int i = from; i < line.argCount(); i++) {
            Token option = line.arg(i);
            switch (option.text()) {
                case "check" -> options.check = true;
                case "no-check" -> options.check = false;
                case "backup" -> options.backup = true;
                case "no-backup" -> options.backup = false;
                case "send-proxy" -> options.sendProxy = 1;
                case "send-proxy-v2" -> options.sendProxy = 2;
                case "no-send-proxy" -> options.sendProxy = options.sendProxy == 1 ? 0 : options.sendProxy;
                case "no-send-proxy-v2" -> options.sendProxy = options.sendProxy == 2 ? 0 : options.sendProxy;
                case "weight", "inter", "rise", "fall", "maxconn", "source" -> {
                    if (i + 1 >= line.argCount()) {
                        line.error(option, 0, option.text(), "missing value of '" + option.text() + "'",
                                expected(option.text()), null);
                        return;
                    }
                    if (!value(line, option.text(), line.arg(++i), options)) {
                        return;
                    }
                }
                default -> {
                    unsupported(line, option);
                    return;
                }
            }
        }
    }

    private static boolean value(Statement line, String option, Token word, ServerOptions options) {
        switch (option) {
            case "weight" -> options.weight = LastWins.apply(line.value(word, option, t -> Values.count(t, 0, 256)),
                    options.weight);
            case "inter" -> options.inter = LastWins.apply(line.value(word, option, Values::time), options.inter);
            case "rise" -> options.rise = LastWins.apply(line.value(word, option, atLeastOne()), options.rise);
            case "fall" -> options.fall = LastWins.apply(line.value(word, option, atLeastOne()), options.fall);
            case "maxconn" -> options.maxConn = LastWins.apply(line.value(word, option, Values::count),
                    options.maxConn);
            default -> options.source = LastWins.apply(line.value(word, option, Addresses::ip), options.source);
        }
        return !line.failed();
    }

    private static String expected(String option) {
        return switch (option) {
            case "weight" -> "a weight from 0 to 256";
            case "inter" -> Values.TIME;
            case "source" -> Addresses.IP;
            default -> Values.COUNT;
        };
    }

    private static void unsupported(Statement line, Token option) {
        String text = option.text();
        String about = line.keyword();
        if (HaproxyKeywords.serverOptions().contains(text)) {
            line.error(option, 0, about, "'" + text + "' is an HAProxy server option ZeroProxy does not support",
                    EXPECTED, null);
        } else {
            line.error(option, 0, about, "'" + text + "' is not a server option", EXPECTED,
                    Suggestions.closest(text, SUPPORTED));
        }
    }

    private static Function<String, Parsed<Integer>> atLeastOne() {
        return text -> Values.count(text, 1, Integer.MAX_VALUE);
    }
}
