package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    private final Problems problems = new Problems("t.cfg");

    private List<Token> words(String line) {
        return Tokenizer.words(line, 7, Map.of("FOO", "foo", "TWO", "a b", "E", "é")::get, problems);
    }

    private List<String> texts(String line) {
        List<Token> words = words(line);
        assertTrue(problems.isEmpty(), () -> problems.inFileOrder().toString());
        return words.stream().map(Token::text).toList();
    }

    private ConfigError onlyError(String line) {
        assertNull(words(line), line);
        assertEquals(1, problems.count(), () -> problems.inFileOrder().toString());
        return problems.inFileOrder().get(0);
    }

    @Test
    void spacesAndTabsSeparateWordsAndCarriageReturnsToo() {
        assertEquals(List.of("bind", ":80", "accept-proxy"), texts("  bind\t:80  \taccept-proxy\r"));
    }

    @Test
    void blankAndCommentLinesHaveNoWords() {
        assertEquals(List.of(), texts(""));
        assertEquals(List.of(), texts(" \t "));
        assertEquals(List.of(), texts("   # bind :80"));
    }

    @Test
    void hashOutsideQuotesStartsACommentEvenInsideAWord() {
        assertEquals(List.of("maxconn", "10"), texts("maxconn 10 # ten"));
        assertEquals(List.of("a"), texts("a#b c"));
        assertEquals(List.of("a#b", "c#d", "e#f", "g#h"), texts("a\\#b \"c#d\" 'e#f' g\"#\"h"));
    }

    @Test
    void escapesOutsideQuotes() {
        assertEquals(List.of("a b", "#", "\\", "'", "\"", "$", "\t"), texts("a\\ b \\# \\\\ \\' \\\" \\$ \\\t"));
        assertEquals(List.of("x\ny\rz\tw"), texts("x\\ny\\rz\\tw"));
        assertEquals(List.of("A", " !"), texts("\\x41 \\x20\\x21"));
    }

    @Test
    void aBackslashThatEscapesNothingStaysAsHaproxyKeepsIt() {
        assertEquals(List.of("\\q", "a\\"), texts("\\q a\\"));
        assertEquals(List.of("\\q"), texts("\"\\q\""));
    }

    @Test
    void doubleQuotesGroupWordsAndExpandVariables() {
        assertEquals(List.of("a b", "foo", "[foo]", "foox", "foo-foo"),
                texts("\"a b\" \"$FOO\" \"[${FOO}]\" \"${FOO}x\" \"$FOO-$FOO\""));
        // A variable's spaces stay inside the word: HAProxy splits only ${VAR[*]}.
        assertEquals(List.of("a b"), texts("\"$TWO\""));
    }

    @Test
    void anUnsetVariableExpandsToNothingAsInHaproxy() {
        assertEquals(List.of("[]", ""), texts("\"[$NOPE]\" \"${NOPE}\""));
    }

    @Test
    void aVariableNameIsTheLongestRunOfNameCharacters() {
        // $FOOx names FOOx, which is unset; HAProxy reads it the same way.
        assertEquals(List.of("", "foo.x"), texts("\"$FOOx\" \"$FOO.x\""));
    }

    @Test
    void variablesAreNotExpandedOutsideDoubleQuotes() {
        assertEquals(List.of("$FOO", "$FOO", "foo"), texts("$FOO '$FOO' \"$FOO\""));
    }

    @Test
    void escapedDollarInsideDoubleQuotesIsADollar() {
        assertEquals(List.of("$FOO"), texts("\"\\$FOO\""));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals(List.of("a \\n $FOO \" #"), texts("'a \\n $FOO \" #'"));
    }

    @Test
    void quotedAndUnquotedPartsGlueIntoOneWord() {
        assertEquals(List.of("a bcd"), texts("\"a b\"'c'd"));
    }

    @Test
    void emptyQuotesAreAnEmptyWord() {
        assertEquals(List.of("x", "", "y"), texts("x \"\" y"));
    }

    @Test
    void columnsAreOneBasedCharactersWithATabCountingOne() {
        List<Token> words = words("\tbind  é:80 \uD83D\uDE00 x");
        assertEquals(2, words.get(0).column());
        assertEquals(8, words.get(1).column());
        assertEquals(9, words.get(1).columnAt(1));
        // An emoji is two chars in Java and one character in the file.
        assertEquals(13, words.get(2).column());
        assertEquals(15, words.get(3).column());
    }

    @Test
    void eachCharacterKeepsItsSourceColumnThroughQuotesEscapesAndVariables() {
        Token word = words("\"a\\ b\"$X'$FOO'\"$E\"z").get(0);
        assertEquals("a b$X$FOOéz", word.text());
        assertEquals(1, word.columnAt(0)); // the word's start: its opening quote
        assertEquals(3, word.columnAt(1)); // the escaped space: its backslash's column
        assertEquals(5, word.columnAt(2)); // 'b'
        assertEquals(7, word.columnAt(3)); // an unquoted $X is literal
        assertEquals(16, word.columnAt(9)); // 'é' from "$E" points at its '$'
        assertEquals(19, word.columnAt(10)); // 'z'
        assertEquals(20, word.columnAt(11)); // past the end
    }

    @Test
    void anUnterminatedQuoteIsAnErrorAtTheQuote() {
        ConfigError error = onlyError("description \"abc 'x'");
        assertEquals(new SourcePosition("t.cfg", 7, 13), error.where());
        assertEquals("description", error.keyword());
        assertTrue(error.problem().contains("quote \" is not closed"), error.problem());
    }

    @Test
    void anUnterminatedSingleQuoteIsAnErrorAtTheQuote() {
        ConfigError error = onlyError("a 'b \"c\"");
        assertEquals(3, error.where().column());
        assertTrue(error.problem().contains("quote ' is not closed"), error.problem());
    }

    @Test
    void anEscapedQuoteDoesNotCloseOne() {
        assertEquals(3, onlyError("a \"b\\\"").where().column());
    }

    @Test
    void aTruncatedHexEscapeIsAnErrorAtTheBackslash() {
        ConfigError error = onlyError("x \\x4");
        assertEquals(3, error.where().column());
        assertTrue(error.problem().contains("two hexadecimal digits"), error.problem());
        onlyErrorAgain("x \\xZZ", 3);
    }

    @Test
    void badVariablesAreErrorsAtTheDollar() {
        onlyErrorAgain("x \"$\"", 4);
        onlyErrorAgain("x \"$1A\"", 4);
        onlyErrorAgain("x \"${FOO\"", 4);
        onlyErrorAgain("x \"${}\"", 4);
        onlyErrorAgain("x \"${FOO-default}\"", 4);
        onlyErrorAgain("x \"${FOO[*]}\"", 4);
        onlyErrorAgain("x \"$.LINE\"", 4);
    }

    private void onlyErrorAgain(String line, int column) {
        Problems fresh = new Problems("t.cfg");
        assertNull(Tokenizer.words(line, 1, name -> "v", fresh), line);
        assertEquals(1, fresh.count(), line);
        assertEquals(column, fresh.inFileOrder().get(0).where().column(), line);
    }
}
