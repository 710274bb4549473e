package dev.zeroproxy.config;

import dev.zeroproxy.Forwarding;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reads the lines of a frontend's side of a section (a {@code frontend}, a {@code listen}, or the
 * frontend settings of a {@code defaults}): {@code bind}, {@code maxconn}, the client timeouts,
 * {@code tcp-request connection}, {@code acl}, {@code default_backend}, {@code use_backend} and
 * ZeroProxy's {@code forwarding} and {@code splice-threshold}.
 */
final class FrontendLines {
    private static final String ACTIONS = "accept or reject, optionally followed by a condition";
    private static final String BACKEND_NAME = "the name of a backend or listen section";
    private static final String FORWARDING = "best, auto, copy or splice";

    private final ProxySection section;
    private final Addresses addresses;

    FrontendLines(ProxySection section, Addresses addresses) {
        this.section = section;
        this.addresses = addresses;
    }

    /** Reads the line if its keyword is a frontend's; false if it is not. */
    boolean read(Statement line) {
        ProxySettings s = section.settings;
        switch (line.keyword()) {
            case "bind" -> BindReader.read(line, section, addresses);
            case "maxconn" -> s.maxConn = LastWins.apply(count(line), s.maxConn);
            case "timeout client" -> s.timeoutClient = LastWins.apply(time(line), s.timeoutClient);
            case "timeout client-fin" -> s.timeoutClientFin = LastWins.apply(time(line), s.timeoutClientFin);
            case "tcp-request connection" -> connectionRule(line);
            case "acl" -> acl(line);
            case "default_backend" -> {
                Located<String> name = line.onlyValue("backend name", BACKEND_NAME, FrontendLines::backendName);
                s.defaultBackend = LastWins.apply(name, s.defaultBackend);
                s.defaultBackendFailed |= line.failed();
            }
            case "use_backend" -> useBackend(line);
            case "forwarding" -> s.forwarding = LastWins.apply(line.onlyValue("forwarding mode", FORWARDING,
                    FrontendLines::forwarding), s.forwarding);
            case "splice-threshold" -> s.spliceThreshold = LastWins.apply(line.onlyValue("size", Values.SIZE,
                    Values::size), s.spliceThreshold);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Located<Integer> count(Statement line) {
        return line.onlyValue("connection count", Values.COUNT, Values::count);
    }

    private static Located<Duration> time(Statement line) {
        return line.onlyValue("time", Values.TIME, Values::time);
    }

    private void connectionRule(Statement line) {
        if (line.argCount() == 0) {
            line.missing("action", ACTIONS);
            return;
        }
        Token action = line.arg(0);
        if (!action.is("accept") && !action.is("reject")) {
            String text = action.text();
            int paren = text.indexOf('(');
            String base = paren < 0 ? text : text.substring(0, paren);
            if (base.equals("expect-proxy")) {
                line.error(action, "'expect-proxy' is not supported", ACTIONS + "; for the PROXY protocol, "
                        + "'accept-proxy' on the bind line");
            } else if (HaproxyKeywords.connectionActions().contains(base)) {
                line.error(action, "'" + text + "' is an HAProxy action ZeroProxy does not support", ACTIONS);
            } else {
                line.error(action, 0, line.keyword(), "'" + text + "' is not an action of tcp-request connection",
                        ACTIONS, Suggestions.closest(text, List.of("accept", "reject")));
            }
            return;
        }
        ConditionDraft condition = null;
        if (line.argCount() > 1) {
            condition = ConditionReader.read(line, 1);
            if (condition == null) {
                return;
            }
        }
        section.rules.add(new ProxySection.Rule(action.is("accept"), condition, line.where()));
    }

    private void acl(Statement line) {
        String expected = "acl NAME src CIDR ...";
        if (line.argCount() == 0) {
            line.missing("ACL name", expected);
            return;
        }
        Token name = line.arg(0);
        ProxySection.Acl acl = section.acls.computeIfAbsent(name.text(), n -> new ProxySection.Acl(line.line()));
        String problem = Names.problem(name.text(), "ACL");
        if (problem != null) {
            line.error(name, problem, Names.EXPECTED);
        } else if (line.argCount() == 1) {
            line.missing("criterion after the ACL name", expected);
        } else if (!line.arg(1).is("src")) {
            Token criterion = line.arg(1);
            line.error(criterion, 0, "acl", "'" + criterion.text() + "' is not supported in an ACL; only 'src' is",
                    expected, Suggestions.closest(criterion.text(), List.of("src")));
        } else {
            List<String> cidrs = ConditionReader.cidrs(line, 2, line.argCount(), line.arg(1));
            if (cidrs != null) {
                acl.cidrs.addAll(cidrs);
            }
        }
        acl.failed |= line.failed();
    }

    private void useBackend(Statement line) {
        String expected = "use_backend NAME if|unless CONDITION";
        if (line.argCount() == 0) {
            line.missing("backend name", expected);
            return;
        }
        Token name = line.arg(0);
        Located<String> backend = line.value(name, "use_backend", FrontendLines::backendName);
        if (backend == null) {
            return;
        }
        if (line.argCount() == 1) {
            // HAProxy 2.6 takes a use_backend without a condition as always true; the model requires
            // one, and "default_backend" says "every client" more plainly.
            line.error(name, "use_backend without a condition", "'if' or 'unless' and a condition after the name; "
                    + "for every client, default_backend");
            return;
        }
        ConditionDraft condition = ConditionReader.read(line, 1);
        if (condition != null) {
            section.useBackends.add(new ProxySection.Use(backend, condition, line.where()));
        }
    }

    private static Parsed<String> backendName(String text) {
        if (text.contains("%[")) {
            return Parsed.wrong("backend names computed from the connection are not supported", BACKEND_NAME);
        }
        String problem = Names.problem(text, "backend");
        return problem == null ? Parsed.of(text) : Parsed.wrong(problem, Names.EXPECTED);
    }

    private static Parsed<Forwarding> forwarding(String text) {
        for (Forwarding forwarding : Forwarding.values()) {
            if (forwarding.name().toLowerCase(Locale.ROOT).equals(text)) {
                return Parsed.of(forwarding);
            }
        }
        return Parsed.near("'" + text + "' is not a forwarding mode", FORWARDING, text,
                List.of("best", "auto", "copy", "splice"));
    }
}
