package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Parses test files with a fixed environment and a resolver that knows only {@code localhost}
 * (127.0.0.1), {@code ip6-localhost} (::1) and {@code twin} (127.0.0.3 and ::1): no DNS, and no
 * test that depends on the machine's {@code /etc/hosts}.
 */
final class Configs {
    static final String FILE = "test.cfg";
    static final Map<String, String> ENVIRONMENT = Map.of("PORT", "8443", "HOST", "127.0.0.7", "SPACED", "a b");
    static final HostResolver RESOLVER = host -> switch (host) {
        case "localhost" -> List.of(address("127.0.0.1"));
        case "ip6-localhost" -> List.of(address("::1"));
        case "twin" -> List.of(address("::1"), address("127.0.0.3"));
        default -> List.of();
    };
    /** The sections most cases need around the line they are about. */
    static final String BACKEND = "backend app\n    server s1 127.0.0.1:9000\n";

    private Configs() { }

    /**
     * Parses a file that must be valid; where HAProxy is installed, it must be valid to
     * {@code haproxy -c} too, if it is HAProxy's ({@link HaproxyCheck}).
     */
    static ProxyFile parse(String text) {
        Set<String> hostNames = ConcurrentHashMap.newKeySet();
        ProxyFile file = ConfigParser.parse(FILE, text, environment(), recording(RESOLVER, hostNames));
        HaproxyCheck.assertAccepts(text, ENVIRONMENT, hostNames);
        return file;
    }

    /**
     * Parses a file the way {@code zeroproxy run} does (the machine's resolver) with an empty
     * environment, and checks it with {@code haproxy -c} as {@link #parse} does: for the tests
     * that start a {@link Deployment}.
     */
    static ProxyFile running(String fileName, String text) {
        Set<String> hostNames = ConcurrentHashMap.newKeySet();
        ProxyFile file = ConfigParser.parse(fileName, text, name -> null, recording(HostResolver.SYSTEM, hostNames));
        HaproxyCheck.assertAccepts(text, Map.of(), hostNames);
        return file;
    }

    /**
     * The errors {@link Deployment#check} finds in a file the parser accepts: a file ZeroProxy
     * refuses, so not one {@code haproxy -c} is asked about.
     */
    static List<ConfigError> checkErrors(String text) {
        ProxyFile file = ConfigParser.parse(FILE, text, environment(), RESOLVER);
        return assertThrows(ConfigException.class, () -> Deployment.check(file), text).errors();
    }

    /** The resolver, noting each name it is asked for. */
    private static HostResolver recording(HostResolver resolver, Set<String> names) {
        return host -> {
            names.add(host);
            return resolver.resolve(host);
        };
    }

    static List<ConfigError> errors(String text) {
        return assertThrows(ConfigException.class, () -> parse(text), text).errors();
    }

    static Function<String, String> environment() {
        return ENVIRONMENT::get;
    }

    /** A frontend with {@code line} as its fourth line, then a backend {@code app}: the line is line 4. */
    static String inFrontend(String line) {
        return "frontend web\n    bind :8080\n    default_backend app\n    " + line + "\n" + BACKEND;
    }

    /** A backend {@code app} with {@code line} as its third line, after a frontend using it: the line is line 6. */
    static String inBackend(String line) {
        return "frontend web\n    bind :8080\n    default_backend app\n" + "backend app\n    server s1 127.0.0.1:9000\n    "
                + line + "\n";
    }

    /** A global section with {@code line} as line 2, then a frontend and a backend. */
    static String inGlobal(String line) {
        return "global\n    " + line + "\nfrontend web\n    bind :8080\n    default_backend app\n" + BACKEND;
    }

    /** A defaults section with {@code line} as line 2, then a frontend and a backend. */
    static String inDefaults(String line) {
        return "defaults\n    " + line + "\nfrontend web\n    bind :8080\n    default_backend app\n" + BACKEND;
    }

    /** A listen section with {@code line} as line 4. */
    static String inListen(String line) {
        return "listen db\n    bind :5432\n    server s1 127.0.0.1:5433\n    " + line + "\n";
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal, e);
        }
    }
}
