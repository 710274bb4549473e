package dev.zeroproxy.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Cuts one line into words the way HAProxy 2.6 does (configuration.txt, 2.2 and 2.3): words are
 * separated by spaces and tabs; {@code #} outside quotes starts a comment; a backslash escapes
 * {@code \ }, {@code \#}, {@code \\}, {@code \'}, {@code \"}, {@code \$} and writes {@code \n},
 * {@code \r}, {@code \t}, {@code \xHH}; double quotes group words and expand {@code $NAME} and
 * {@code ${NAME}} (an unset variable is empty); single quotes take everything literally.
 *
 * <p>As HAProxy does, a backslash before any other character, or at the end of the line, is kept
 * as a backslash, and quoted parts and unquoted parts glue into one word ({@code "a b"'c'd} is
 * {@code a bcd}). Unlike HAProxy, {@code \xHH} gives the character U+00HH rather than a raw byte,
 * and a carriage return separates words (so that files with CRLF line ends read the same).
 *
 * <p>Columns are 1-based and count characters (code points), a tab being one character.
 */
final class Tokenizer {
    private static final String VARIABLE_EXPECTED = "$NAME or ${NAME}, NAME made of letters, digits and '_', "
            + "not starting with a digit; \\$ for a dollar sign";

    private final int[] chars;
    private final int lineNumber;
    private final Function<String, String> environment;
    private final Problems problems;
    private int next;

    private Tokenizer(String line, int lineNumber, Function<String, String> environment, Problems problems) {
        this.chars = line.codePoints().toArray();
        this.lineNumber = lineNumber;
        this.environment = environment;
        this.problems = problems;
    }

    /**
     * The words of a line; none for a blank or comment line. On an error (a quote left open, a
     * bad escape or variable) reports it and returns null: a half-read line would only produce
     * more errors, about words the user did not write.
     */
    static List<Token> words(String line, int lineNumber, Function<String, String> environment,
            Problems problems) {
        return new Tokenizer(line, lineNumber, environment, problems).words();
    }

    private List<Token> words() {
        List<Token> words = new ArrayList<>();
        while (true) {
            while (next < chars.length && isBlank(chars[next])) {
                next++;
            }
            if (next >= chars.length || chars[next] == '#') {
                return words;
            }
            Token word = word();
            if (word == null) {
                return null;
            }
            words.add(word);
        }
    }

    private Token word() {
        WordBuilder word = new WordBuilder(column(next));
        int quote = 0;
        int quoteAt = 0;
        while (next < chars.length) {
            int c = chars[next];
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.add(c, column(next));
                }
                next++;
            } else if (quote == 0 && (isBlank(c) || c == '#')) {
                break;
            } else if (c == '"' || (c == '\'' && quote == 0)) {
                quote = quote == 0 ? c : 0;
                quoteAt = next;
                next++;
            } else if (c == '\\') {
                if (!escape(word)) {
                    return null;
                }
            } else if (c == '$' && quote == '"') {
                if (!variable(word)) {
                    return null;
                }
            } else {
                word.add(c, column(next));
                next++;
            }
        }
        if (quote != 0) {
            fail(quoteAt, "quote " + (char) quote + " is not closed on this line",
                    "a closing " + (char) quote + " before the end of the line (write \\" + (char) quote
                            + " for the character itself)");
            return null;
        }
        return word.build(column(next));
    }

    /** At a backslash: adds what it stands for and moves past it; false after reporting a bad escape. */
    private boolean escape(WordBuilder word) {
        int at = next;
        if (at + 1 >= chars.length) {
            word.add('\\', column(at));
            next++;
            return true;
        }
        int c = chars[at + 1];
        switch (c) {
            case ' ', '\t', '#', '\\', '\'', '"', '$' -> word.add(c, column(at));
            case 'n' -> word.add('\n', column(at));
            case 'r' -> word.add('\r', column(at));
            case 't' -> word.add('\t', column(at));
            case 'x' -> {
                int high = at + 2 < chars.length ? Character.digit(chars[at + 2], 16) : -1;
                int low = at + 3 < chars.length ? Character.digit(chars[at + 3], 16) : -1;
                if (high < 0 || low < 0) {
                    fail(at, "\\x is not followed by two hexadecimal digits",
                            "\\x and two hexadecimal digits, e.g. \\x20 for a space");
                    return false;
                }
                word.add(high * 16 + low, column(at));
                next = at + 4;
                return true;
            }
            default -> {
                // HAProxy keeps a backslash that escapes nothing, and so do we.
                word.add('\\', column(at));
                word.add(c, column(at + 1));
            }
        }
        next = at + 2;
        return true;
    }

    /** At a {@code $} inside double quotes: adds the variable's value; false after reporting a bad name. */
    private boolean variable(WordBuilder word) {
        int at = next;
        boolean braced = at + 1 < chars.length && chars[at + 1] == '{';
        int start = braced ? at + 2 : at + 1;
        int end = start;
        while (end < chars.length && isNameChar(chars[end])) {
            end++;
        }
        if (start < chars.length && chars[start] == '.') {
            fail(at, "pseudo-variables such as $.FILE or $.LINE are not supported", VARIABLE_EXPECTED);
            return false;
        }
        if (end == start || Character.isDigit(chars[start])) {
            fail(at, "'$' is not followed by a variable name", VARIABLE_EXPECTED);
            return false;
        }
        if (braced) {
            if (end < chars.length && chars[end] == '[') {
                fail(at, "${NAME[*]}, a variable split into several words, is not supported", VARIABLE_EXPECTED);
                return false;
            }
            if (end >= chars.length || chars[end] != '}') {
                fail(at, "'${' is not closed by '}' after the variable name", VARIABLE_EXPECTED);
                return false;
            }
        }
        String name = new String(chars, start, end - start);
        String value = environment.apply(name);
        if (value != null) {
            // Every character of a value points at the '$' that brought it.
            value.codePoints().forEach(c -> word.add(c, column(at)));
        }
        next = braced ? end + 1 : end;
        return true;
    }

    private void fail(int at, String problem, String expected) {
        problems.report(problems.at(lineNumber, column(at)), firstWord(), problem, expected, null);
    }

    /** The line's first word as written, for an error found before the words are known. */
    private String firstWord() {
        int start = 0;
        while (start < chars.length && isBlank(chars[start])) {
            start++;
        }
        int end = start;
        while (end < chars.length && !isBlank(chars[end])) {
            end++;
        }
        return new String(chars, start, end - start);
    }

    private static int column(int index) {
        return index + 1;
    }

    private static boolean isBlank(int c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static boolean isNameChar(int c) {
        return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
    }

    /** A word being read: its characters and the column each came from. */
    private static final class WordBuilder {
        private final int column;
        private final StringBuilder text = new StringBuilder();
        private int[] columns = new int[16];

        WordBuilder(int column) {
            this.column = column;
        }

        void add(int codePoint, int sourceColumn) {
            int before = text.length();
            text.appendCodePoint(codePoint);
            for (int i = before; i < text.length(); i++) {
                if (i == columns.length) {
                    columns = Arrays.copyOf(columns, columns.length * 2);
                }
                columns[i] = sourceColumn;
            }
        }

        Token build(int endColumn) {
            return new Token(text.toString(), column, Arrays.copyOf(columns, text.length()), endColumn);
        }
    }
}
