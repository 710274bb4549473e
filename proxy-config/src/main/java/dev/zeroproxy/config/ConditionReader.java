package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the condition at the end of a rule: {@code if} or {@code unless}, then one named ACL or
 * one {@code { src CIDR ... }}, each optionally after {@code !} (HAProxy's braces are words of
 * their own, and so is a {@code !} or it is glued to what it negates). HAProxy's conditions can
 * combine several terms (AND by juxtaposition, {@code ||}, {@code or}); ZeroProxy's model has one
 * term, so a second is an error rather than a condition silently read as something else.
 */
final class ConditionReader {
    static final String EXPECTED = "'if' or 'unless', then one ACL name or '{ src CIDR ... }', "
            + "either optionally after '!'";
    private static final String ONE_TERM = "only one ACL or one '{ src ... }' per condition is supported";

    private ConditionReader() { }

    /** The condition starting at argument {@code index}; null after reporting what is wrong. */
    static ConditionDraft read(Statement line, int index) {
        Token keyword = line.arg(index);
        boolean negated;
        if (keyword.is("if")) {
            negated = false;
        } else if (keyword.is("unless")) {
            negated = true;
        } else {
            line.error(keyword, "'" + keyword.text() + "' is neither 'if' nor 'unless'", EXPECTED);
            return null;
        }
        int at = index + 1;
        int skip = 0;
        for (; at < line.argCount(); at++) {
            String text = line.arg(at).text();
            skip = 0;
            while (skip < text.length() && text.charAt(skip) == '!') {
                negated = !negated;
                skip++;
            }
            if (skip < text.length()) {
                break;
            }
        }
        if (at >= line.argCount()) {
            line.error(keyword, "no condition after '" + keyword.text() + "'", EXPECTED);
            return null;
        }
        Token term = line.arg(at);
        String name = term.text().substring(skip);
        SourcePosition where = line.at(keyword);
        if (name.equals("{")) {
            return anonymous(line, at, skip, negated, where);
        }
        if (name.startsWith("{") || name.endsWith("}")) {
            line.error(term, skip, line.keyword(), "'{' and '}' must be words of their own", EXPECTED, null);
            return null;
        }
        if (isOperator(name)) {
            line.error(term, skip, line.keyword(), "'" + name + "': " + ONE_TERM, EXPECTED, null);
            return null;
        }
        if (!onlyTerm(line, at + 1)) {
            return null;
        }
        return new ConditionDraft(negated, null, name, line.at(term, skip), line.line(), where);
    }

    private static ConditionDraft anonymous(Statement line, int open, int skip, boolean negated,
            SourcePosition where) {
        Token brace = line.arg(open);
        int close = open + 1;
        while (close < line.argCount() && !line.arg(close).is("}")) {
            close++;
        }
        if (close >= line.argCount()) {
            boolean glued = line.args().subList(open + 1, close).stream().anyMatch(w -> w.text().contains("}"));
            line.error(brace, skip, line.keyword(), glued ? "'{' and '}' must be words of their own"
                    : "'{' is not closed by '}'", "'{ src CIDR ... }', the braces separated by spaces", null);
            return null;
        }
        if (close == open + 1) {
            line.error(brace, skip, line.keyword(), "'{ }' is empty", "'{ src CIDR ... }'", null);
            return null;
        }
        Token fetch = line.arg(open + 1);
        if (!fetch.is("src")) {
            line.error(fetch, 0, line.keyword(), "'" + fetch.text() + "' is not supported in a condition; "
                    + "only 'src' is", "'{ src CIDR ... }'", Suggestions.closest(fetch.text(), List.of("src")));
            return null;
        }
        List<String> cidrs = cidrs(line, open + 2, close, fetch);
        if (cidrs == null || !onlyTerm(line, close + 1)) {
            return null;
        }
        return new ConditionDraft(negated, cidrs, null, null, line.line(), where);
    }

    /**
     * The address blocks in arguments {@code from..to}, each checked (all of them, so that one
     * run reports every bad one); null after reporting any problem.
     */
    static List<String> cidrs(Statement line, int from, int to, Token before) {
        if (from >= to) {
            line.error(before, "no address after '" + before.text() + "'", Addresses.CIDR);
            return null;
        }
        List<String> cidrs = new ArrayList<>();
        boolean wrong = false;
        for (int i = from; i < to; i++) {
            Token word = line.arg(i);
            if (word.text().startsWith("-")) {
                line.error(word, "ACL flags such as '" + word.text() + "' are not supported", Addresses.CIDR);
                return null;
            }
            Parsed<String> cidr = Addresses.cidr(word.text());
            if (cidr.ok()) {
                cidrs.add(cidr.value());
            } else {
                line.wrong(word, line.keyword(), cidr);
                wrong = true;
            }
        }
        return wrong ? null : cidrs;
    }

    private static boolean onlyTerm(Statement line, int next) {
        if (next < line.argCount()) {
            line.error(line.arg(next), ONE_TERM, EXPECTED);
            return false;
        }
        return true;
    }

    private static boolean isOperator(String word) {
        return word.equals("||") || word.equals("or") || word.equals("&&");
    }
}
