package dev.zeroproxy.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Reads a {@code bind} line: one address or several, comma-separated, then its options, of which
 * ZeroProxy has one, {@code accept-proxy}, for every address of the line. Each address becomes a
 * {@link BindLine} at its own position in the line.
 */
final class BindReader {
    private BindReader() { }

    static void read(Statement line, ProxySection section, Addresses addresses) {
        if (line.argCount() == 0) {
            line.missing("address", Addresses.LISTEN);
            section.bindFailed = true;
            return;
        }
        boolean acceptProxy = false;
        for (Token option : line.args().subList(1, line.argCount())) {
            if (option.is("accept-proxy")) {
                acceptProxy = true;
                continue;
            }
            String problem = HaproxyKeywords.bindOptions().contains(option.text())
                    ? "'" + option.text() + "' is an HAProxy bind option ZeroProxy does not support"
                    : "'" + option.text() + "' is not a bind option";
            line.error(option, 0, "bind", problem, "accept-proxy, the only bind option ZeroProxy supports",
                    Suggestions.closest(option.text(), List.of("accept-proxy")));
            // The words after an unknown option may be its arguments: stop rather than guess.
            break;
        }
        Token list = line.arg(0);
        String text = list.text();
        int start = 0;
        while (start <= text.length()) {
            int comma = text.indexOf(',', start);
            int end = comma < 0 ? text.length() : comma;
            String one = text.substring(start, end);
            if (one.isEmpty()) {
                line.error(list, start, "bind", "empty address in '" + text + "'", Addresses.LISTEN
                        + ", several separated by commas without spaces", null);
            } else {
                Parsed<InetSocketAddress> address = addresses.listen(one);
                if (address.ok()) {
                    section.binds.add(new BindLine(address.value(), acceptProxy, line.at(list, start)));
                    if (Addresses.hostless(one)) {
                        section.hostlessBinds.add(line.at(list, start));
                    }
                } else {
                    line.wrong(list, "bind", address.failure(start));
                }
            }
            start = end + 1;
        }
        section.bindFailed |= line.failed();
    }
}
