package dev.zeroproxy.config;

import java.util.List;
import java.util.function.Function;

/**
 * One line of a section, cut into its keyword and its arguments, with the means to report an
 * error about any of its words and to read its values as {@link Located} ones. Knows whether an
 * error was reported about it, so that a reader can stay quiet about what a broken line left out
 * (a backend whose only {@code server} line is wrong is not also "a backend without servers").
 */
final class Statement {
    private final Problems problems;
    private final int line;
    private final List<Token> words;
    private final int keywordWords;
    private final String keyword;
    private final int errorsBefore;

    Statement(Problems problems, int line, List<Token> words) {
        this.problems = problems;
        this.line = line;
        this.words = List.copyOf(words);
        this.keywordWords = Keywords.length(words);
        this.keyword = Keywords.join(words, 0, keywordWords);
        this.errorsBefore = problems.count();
    }

    /** The keyword, its words joined by one space, e.g. {@code timeout connect}. */
    String keyword() {
        return keyword;
    }

    /**
     * Whether a word of the keyword holds a blank (a quoted {@code "timeout connect"}): HAProxy
     * compares keywords word by word, so such a line has no keyword it knows.
     */
    boolean blankInKeyword() {
        for (int i = 0; i < keywordWords; i++) {
            String text = words.get(i).text();
            if (text.indexOf(' ') >= 0 || text.indexOf('\t') >= 0) {
                return true;
            }
        }
        return false;
    }

    int line() {
        return line;
    }

    /** The line's first word. */
    Token first() {
        return words.get(0);
    }

    /** Where the line starts. */
    SourcePosition where() {
        return at(first());
    }

    SourcePosition at(Token token) {
        return problems.at(line, token.column());
    }

    SourcePosition at(Token token, int offset) {
        return problems.at(line, token.columnAt(offset));
    }

    /** Every word of the line, as text. */
    List<String> texts() {
        return words.stream().map(Token::text).toList();
    }

    /** The words after the keyword. */
    List<Token> args() {
        return words.subList(keywordWords, words.size());
    }

    int argCount() {
        return words.size() - keywordWords;
    }

    Token arg(int index) {
        return words.get(keywordWords + index);
    }

    /** Whether an error has been reported since this line was cut. */
    boolean failed() {
        return problems.count() > errorsBefore;
    }

    /** Reports an error about a word, under this line's keyword. */
    void error(Token at, String problem, String expected) {
        problems.report(at(at), keyword, problem, expected, null);
    }

    /** Reports an error about part of a word, under a keyword of one's choice (an option's, say). */
    void error(Token at, int offset, String about, String problem, String expected, String suggestion) {
        problems.report(at(at, offset), about, problem, expected, suggestion);
    }

    /** Reports that an argument is missing, at the keyword (the word the user wrote). */
    void missing(String what, String expected) {
        problems.report(where(), keyword, "missing " + what, expected, null);
    }

    /** Reports the first argument past {@code count}, if any; true when there is none. */
    boolean atMost(int count, String expected) {
        if (argCount() <= count) {
            return true;
        }
        Token extra = arg(count);
        error(extra, "unexpected argument '" + extra.text() + "'", expected);
        return false;
    }

    /** Reports a value that failed to parse, at the character where it goes wrong. */
    void wrong(Token at, String about, Parsed<?> parsed) {
        problems.report(at(at, parsed.offset()), about, parsed.problem(), parsed.expected(), parsed.suggestion());
    }

    /**
     * The single argument of a one-value keyword ({@code retries 3}), parsed; null after reporting
     * it missing, wrong, or followed by another word.
     */
    <T> Located<T> onlyValue(String what, String expected, Function<String, Parsed<T>> parser) {
        if (argCount() == 0) {
            missing(what, expected);
            return null;
        }
        Located<T> value = value(arg(0), keyword, parser);
        return atMost(1, expected) ? value : null;
    }

    /** A word parsed as the value of {@code about} ({@code weight}, say); null after reporting it wrong. */
    <T> Located<T> value(Token word, String about, Function<String, Parsed<T>> parser) {
        Parsed<T> parsed = parser.apply(word.text());
        if (!parsed.ok()) {
            wrong(word, about, parsed);
            return null;
        }
        return new Located<>(parsed.value(), about, at(word));
    }
}
