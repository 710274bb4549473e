package dev.zeroproxy.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The checks of the stats section, once the file is whole, and its model. A frontend or listen
 * with a {@code stats} line is the stats section: ZeroProxy's admin endpoint, not a frontend of
 * the proxy. It must be the only one, say {@code stats enable}, and listen on exactly one address;
 * its own lines may be {@code mode}, {@code bind} and {@code stats} ones only. What its
 * {@code defaults} pass on to every section it ignores (timeouts, {@code maxconn}), except a
 * {@code default_backend}, which HAProxy refuses in an http section (the backends being tcp).
 * Its {@code mode} is {@link ModeChecks}'s.
 */
final class StatsChecks {
    private static final String OWN_LINES = "only mode http, bind, stats enable, stats uri and stats refresh in it; "
            + "the rest in a frontend, backend or listen of its own";

    private StatsChecks() { }

    /** Reports what is wrong with the stats sections; the stats section if there is one and it is right. */
    static StatsSection check(Problems problems, List<ProxySection> sections) {
        ProxySection first = null;
        boolean right = false;
        for (ProxySection section : sections) {
            if (section.name == null || section.discarded || !section.isStats()) {
                continue;
            }
            if (first != null) {
                problems.report(section.where, section.kind.keyword(), "a second stats section; "
                        + first.kind.keyword() + " '" + first.name + "' at line " + first.where.line()
                        + " is the admin endpoint already", "one stats section in the file", null);
                continue;
            }
            first = section;
            int before = problems.count();
            check(problems, section);
            right = problems.count() == before;
        }
        // A bind line that failed leaves none: the file is refused for it, and there is nothing to model.
        return right && first.binds.size() == 1 ? model(first) : null;
    }

    private static void check(Problems problems, ProxySection section) {
        String kind = section.kind.keyword();
        String named = kind + " '" + section.name + "'";
        if (section.statsEnable == null && !section.statsFailed) {
            problems.report(section.where, kind, named + " has stats lines but no 'stats enable'",
                    "'stats enable' in it (HAProxy takes other stats lines as enabling it; ZeroProxy asks for it "
                            + "written)", null);
        }
        Located<String> inherited = section.defaultsBackend;
        if (inherited != null) {
            // HAProxy refuses it ("http proxy tries to use incompatible tcp backend"): so do we, to agree.
            problems.report(section.where, kind, named + " takes 'default_backend " + inherited.value() + "' from the "
                    + "defaults section at line " + inherited.where().line() + ": HAProxy refuses an http section "
                    + "with a tcp backend", "default_backend in each frontend, or in a defaults section after the "
                    + "stats section", null);
        }
        if (section.binds.isEmpty() && !section.bindFailed) {
            problems.report(section.where, kind, named + " has no bind line",
                    "one 'bind ADDR:PORT' line: where the admin endpoint listens", null);
        }
        if (section.binds.size() > 1) {
            BindLine second = section.binds.get(1);
            problems.report(second.where(), "bind", "a second address for the stats section (the first is at "
                    + section.binds.get(0).where() + ")", "one bind line with one address: the admin endpoint "
                    + "listens on one", null);
        }
        section.binds.stream().filter(BindLine::acceptProxy).findFirst().ifPresent(bind -> problems.report(
                bind.where(), "bind", "accept-proxy on the stats section's bind: the admin endpoint takes no "
                        + "PROXY header", "bind ADDR:PORT alone", null));
        for (Located<String> line : section.ownLines) {
            problems.report(line.where(), line.keyword(), "'" + line.keyword() + "' is not supported in the stats "
                    + "section, which is the admin endpoint, not a frontend of the proxy", OWN_LINES, null);
        }
    }

    private static StatsSection model(ProxySection section) {
        BindLine bind = section.binds.get(0);
        InetSocketAddress address = bind.address();
        if (section.hostlessBinds.contains(bind.where())) {
            // ":8404" is every address to HAProxy; the admin endpoint is loopback unless a host is written.
            InetAddress loopback = Addresses.literal(address.getAddress() instanceof Inet6Address ? "::1" : "127.0.0.1");
            address = new InetSocketAddress(loopback, address.getPort());
        }
        return new StatsSection(section.name, section.where, new Located<>(address, "bind", bind.where()),
                section.statsUri, section.statsRefresh);
    }
}
