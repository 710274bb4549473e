package dev.zeroproxy.config;

import dev.zeroproxy.upstream.Balance;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Reads the lines of a backend's side of a section (a {@code backend}, a {@code listen}, or the
 * backend settings of a {@code defaults}): {@code balance}, {@code retries}, {@code option
 * redispatch}, the server timeouts, {@code source}, {@code default-server} and {@code server}.
 */
final class BackendLines {
    private static final List<String> ALGORITHMS = List.of("roundrobin", "leastconn", "source", "random");
    private static final String BALANCE = "roundrobin, leastconn, source, random or random(2)";
    private static final String SERVER = "server NAME ADDRESS:PORT [options]";

    private final ProxySection section;
    private final Addresses addresses;

    BackendLines(ProxySection section, Addresses addresses) {
        this.section = section;
        this.addresses = addresses;
    }

    /** Reads the line if its keyword is a backend's; false if it is not. */
    boolean read(Statement line) {
        ProxySettings s = section.settings;
        switch (line.keyword()) {
            case "balance" -> s.balance = LastWins.apply(line.onlyValue("algorithm", BALANCE, BackendLines::balance),
                    s.balance);
            case "retries" -> s.retries = LastWins.apply(line.onlyValue("retry count", Values.COUNT, Values::count),
                    s.retries);
            case "option redispatch", "no option redispatch" -> {
                if (line.argCount() > 0) {
                    line.error(line.arg(0), "an interval after 'option redispatch' is not supported",
                            "'" + line.keyword() + "' alone");
                } else {
                    s.redispatch = new Located<>(line.keyword().startsWith("option"), line.keyword(), line.where());
                }
            }
            case "timeout connect" -> s.timeoutConnect = LastWins.apply(time(line), s.timeoutConnect);
            case "timeout server" -> s.timeoutServer = LastWins.apply(time(line), s.timeoutServer);
            case "timeout server-fin" -> s.timeoutServerFin = LastWins.apply(time(line), s.timeoutServerFin);
            case "timeout tunnel" -> s.timeoutTunnel = LastWins.apply(time(line), s.timeoutTunnel);
            case "timeout queue" -> s.timeoutQueue = LastWins.apply(time(line), s.timeoutQueue);
            case "timeout check" -> s.timeoutCheck = LastWins.apply(time(line), s.timeoutCheck);
            case "source" -> s.source = LastWins.apply(source(line), s.source);
            case "default-server" -> ServerOptionReader.read(line, 0, s.defaultServer);
            case "server" -> server(line);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Located<Duration> time(Statement line) {
        return line.onlyValue("time", Values.TIME, Values::time);
    }

    private static Located<InetAddress> source(Statement line) {
        if (line.argCount() > 1 && (line.arg(1).is("usesrc") || line.arg(1).is("interface"))) {
            line.error(line.arg(1), "'" + line.arg(1).text() + "' is not supported", "source ADDRESS alone");
            return null;
        }
        return line.onlyValue("address", Addresses.IP, Addresses::ip);
    }

    private static Parsed<Balance> balance(String text) {
        if (text.equals("random") || text.equals("random(2)")) {
            return Parsed.of(Balance.RANDOM_TWO_CHOICES);
        }
        if (text.startsWith("random(")) {
            return Parsed.wrong("'" + text + "': only two draws are supported", BALANCE, 7);
        }
        if (ALGORITHMS.contains(text)) {
            return Parsed.of(Balance.ofKeyword(text));
        }
        int paren = text.indexOf('(');
        String base = paren < 0 ? text : text.substring(0, paren);
        if (HaproxyKeywords.balanceAlgorithms().contains(base)) {
            return Parsed.wrong("'" + text + "' is an HAProxy algorithm ZeroProxy does not support", BALANCE);
        }
        return Parsed.near("'" + text + "' is not an algorithm", BALANCE, text, ALGORITHMS);
    }

    private void server(Statement line) {
        if (line.argCount() < 2) {
            line.missing(line.argCount() == 0 ? "server name" : "server address", SERVER);
            section.serverFailed = true;
            return;
        }
        Token name = line.arg(0);
        String problem = Names.problem(name.text(), "server");
        Integer earlier = section.serverLines.putIfAbsent(name.text(), line.line());
        if (problem != null) {
            line.error(name, problem, Names.EXPECTED);
        } else if (earlier != null) {
            line.error(name, "server '" + name.text() + "' is already defined at line " + earlier,
                    "a name no other server of " + section.kind.keyword() + " '" + section.name + "' has");
        }
        Token addressWord = line.arg(1);
        Parsed<InetSocketAddress> address = addresses.server(addressWord.text());
        if (!address.ok()) {
            line.wrong(addressWord, "server", address);
        }
        ServerOptions options = section.settings.defaultServer.copy();
        ServerOptionReader.read(line, 2, options);
        if (line.failed()) {
            section.serverFailed = true;
        } else {
            section.servers.add(options.toLine(name.text(), line.where(), address.value()));
        }
    }
}
