package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Says why a line's keyword is refused, most useful answer first: ZeroProxy reads it, but in
 * another section; HAProxy has it here but ZeroProxy does not; HAProxy has it elsewhere; or it is
 * no keyword at all, probably a misspelling of one of this section's.
 */
final class KeywordErrors {
    private KeywordErrors() { }

    /** The second words of HAProxy's global {@code stats} keyword ({@code stats socket PATH}, ...). */
    private static final List<String> GLOBAL_STATS = List.of("socket", "timeout", "maxconn", "bind-process");

    static void report(SectionKind kind, Statement line) {
        String keyword = line.keyword();
        if (keyword.equals("stats") && kind != SectionKind.GLOBAL
                && (line.argCount() == 0 || !GLOBAL_STATS.contains(line.arg(0).text()))) {
            unknownStats(kind, line);
            return;
        }
        String section = kind.keyword();
        List<SectionKind> ours = Keywords.supportedIn(keyword);
        List<SectionKind> theirs = Keywords.haproxySections(keyword);
        String expected = "one of " + String.join(", ", Keywords.supported(kind));
        String problem;
        String suggestion = null;
        if (!ours.isEmpty()) {
            problem = theirs.contains(kind)
                    ? "'" + keyword + "' is not supported in section " + section + "; ZeroProxy reads it in "
                            + sections(ours)
                    : "'" + keyword + "' does not belong in section " + section + "; it belongs in " + sections(ours);
        } else if (theirs.contains(kind)) {
            problem = "'" + keyword + "' is an HAProxy keyword ZeroProxy does not support" + hint(keyword);
        } else if (!theirs.isEmpty()) {
            problem = "'" + keyword + "' is an HAProxy keyword of section " + sections(theirs)
                    + " ZeroProxy does not support" + hint(keyword);
        } else if (line.argCount() == 0 && Keywords.isPrefix(keyword)) {
            List<String> completions = new ArrayList<>();
            for (String candidate : Keywords.supported(kind)) {
                if (candidate.startsWith(keyword + " ")) {
                    completions.add(candidate);
                }
            }
            problem = "'" + keyword + "' needs a second word";
            expected = completions.isEmpty() ? expected : "one of " + String.join(", ", completions);
        } else {
            problem = "'" + keyword + "' is not a keyword of section " + section;
            suggestion = Suggestions.closestKeyword(line.texts(), Keywords.supported(kind));
        }
        line.error(line.first(), 0, keyword, problem, expected, suggestion);
    }

    /**
     * A {@code stats} line of a section whose second word is no keyword: HAProxy's table knows
     * {@code stats} alone only in {@code global}, which would be the wrong thing to say of a
     * misspelt {@code stats enabel} in a {@code listen}.
     */
    private static void unknownStats(SectionKind kind, Statement line) {
        List<String> ours = new ArrayList<>();
        for (String candidate : Keywords.supported(kind)) {
            if (candidate.startsWith("stats ")) {
                ours.add(candidate);
            }
        }
        String expected = ours.isEmpty() ? "one of " + String.join(", ", Keywords.supported(kind))
                : "one of " + String.join(", ", ours);
        if (line.argCount() == 0) {
            line.error(line.first(), 0, "stats", "'stats' needs a second word", expected, null);
            return;
        }
        String written = "stats " + line.arg(0).text();
        line.error(line.first(), 0, written, "'" + written + "' is not a keyword of section " + kind.keyword(),
                expected, Suggestions.closestKeyword(line.texts(), ours));
    }

    /** "frontend or listen", "defaults, frontend or listen". */
    static String sections(List<SectionKind> kinds) {
        List<String> names = kinds.stream().map(SectionKind::keyword).collect(Collectors.toList());
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    private static String hint(String keyword) {
        String hint = Keywords.hint(keyword);
        return hint == null ? "" : ": " + hint;
    }
}
