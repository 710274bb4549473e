package dev.zeroproxy.config;

import java.util.List;

/**
 * The {@code mode} of each section, once the file is whole: {@code http} in the stats section
 * (which needs it, as HAProxy ignores {@code stats} lines in {@code mode tcp}), {@code tcp}
 * everywhere else. A {@code mode} in a {@code defaults} section applies to every section after
 * it, as in HAProxy: under a {@code defaults} in {@code mode http}, the usual one in real-world
 * files, each tcp section says {@code mode tcp} itself. A section's own mode line is the error's
 * place; an inherited mode is reported at the section's header, naming the {@code defaults}
 * line, once per section (each needs its own fix, or the defaults one).
 */
final class ModeChecks {
    private static final String ONLY_STATS = "only the stats section (a listen with 'stats enable') serves HTTP";

    private ModeChecks() { }

    static void check(Problems problems, List<ProxySection> sections) {
        for (ProxySection section : sections) {
            // A section without a name, or with another's, is reported as such: its mode is moot.
            if (section.name != null && !section.discarded && section.kind != SectionKind.DEFAULTS) {
                check(problems, section);
            }
        }
    }

    private static void check(Problems problems, ProxySection section) {
        Located<String> mode = section.settings.mode;
        String named = section.kind.keyword() + " '" + section.name + "'";
        if (section.isStats() && !section.isHttp()) {
            if (mode == null) {
                problems.report(section.where, section.kind.keyword(), named + " has stats lines but no 'mode http' "
                        + "(tcp is HAProxy's default, and HAProxy ignores stats lines in mode tcp)",
                        "'mode http' in it: the stats section serves HTTP", null);
            } else if (section.inheritsMode()) {
                problems.report(section.where, section.kind.keyword(), named + " has stats lines but is in mode "
                        + mode.value() + ", from the defaults section at line " + mode.where().line(),
                        "'mode http' in it: the stats section serves HTTP", null);
            } else {
                problems.report(mode.where(), "mode", "mode " + mode.value() + " in the stats section (HAProxy "
                        + "ignores stats lines in mode tcp)", "http: the stats section serves HTTP", null);
            }
        } else if (!section.isStats() && section.isHttp()) {
            if (section.inheritsMode()) {
                problems.report(section.where, section.kind.keyword(), named + " is in mode http, from the defaults "
                        + "section at line " + mode.where().line() + "; ZeroProxy is a TCP proxy: " + ONLY_STATS,
                        "'mode tcp' in it (a mode in defaults applies to every section after it)", null);
            } else {
                problems.report(mode.where(), "mode", "ZeroProxy is a TCP proxy; mode http is supported only in "
                        + "the stats section (a listen section with 'stats enable')", "tcp", null);
            }
        }
    }
}
