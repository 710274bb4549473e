package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYWORDS = List.of("balance", "bind", "maxconn", "timeout connect",
            "timeout client", "server");

    @Test
    void distanceCountsASwapOfNeighboursAsOneEdit() {
        assertEquals(0, EditDistance.between("bind", "bind"));
        assertEquals(1, EditDistance.between("bnid", "bind"));
        assertEquals(1, EditDistance.between("bin", "bind"));
        assertEquals(1, EditDistance.between("binds", "bind"));
        assertEquals(1, EditDistance.between("bund", "bind"));
        assertEquals(3, EditDistance.between("", "abc"));
    }

    @Test
    void suggestsTheClosestWithinTwoEditsOrAThirdOfTheLength() {
        assertEquals("balance", Suggestions.closest("balanse", KEYWORDS));
        assertEquals("maxconn", Suggestions.closest("MAXCONN", KEYWORDS));
        assertEquals("timeout connect", Suggestions.closest("timeout conect", KEYWORDS));
        // Three edits, more than two but within a third of fifteen letters.
        assertEquals("timeout connect", Suggestions.closest("tmeout cnnectx", KEYWORDS));
        assertNull(Suggestions.closest("retries", KEYWORDS));
    }

    @Test
    void aWordOfOneOrTwoLettersSuggestsNothing() {
        // "b" is three edits from "bind"; "bi" is two, but as many as it has letters.
        assertNull(Suggestions.closest("b", KEYWORDS));
        assertNull(Suggestions.closest("bi", List.of("id", "bind")));
    }

    @Test
    void aKeywordOfSeveralWordsIsComparedWithAsManyWordsOfTheLine() {
        assertEquals("timeout connect", Suggestions.closestKeyword(List.of("timout", "connect", "5s"), KEYWORDS));
        assertEquals("timeout client", Suggestions.closestKeyword(List.of("timeout", "clint", "5s"), KEYWORDS));
        assertEquals("server", Suggestions.closestKeyword(List.of("sever", "s1", "127.0.0.1:80"), KEYWORDS));
    }
}
