package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeywordTablesTest {
    /** ZeroProxy's own keywords, which HAProxy does not have. */
    private static final Set<String> OURS = Set.of("transport", "forwarding", "splice-threshold");

    @Test
    void haproxysTableIsReadWithEachKeywordInItsSections() {
        assertTrue(HaproxyKeywords.in(SectionKind.FRONTEND).contains("stick-table"));
        assertTrue(HaproxyKeywords.in(SectionKind.FRONTEND).contains("capture request header"));
        assertFalse(HaproxyKeywords.in(SectionKind.FRONTEND).contains("server"));
        assertTrue(HaproxyKeywords.in(SectionKind.BACKEND).contains("server"));
        assertTrue(HaproxyKeywords.in(SectionKind.DEFAULTS).contains("option tcplog"));
        assertTrue(HaproxyKeywords.in(SectionKind.GLOBAL).contains("daemon"));
        assertTrue(HaproxyKeywords.in(SectionKind.GLOBAL).contains("tune.bufsize"));
        assertTrue(HaproxyKeywords.bindOptions().contains("ssl"));
        assertTrue(HaproxyKeywords.serverOptions().contains("cookie"));
        assertTrue(HaproxyKeywords.connectionActions().contains("track-sc0"));
        assertTrue(HaproxyKeywords.balanceAlgorithms().contains("static-rr"));
        assertTrue(HaproxyKeywords.sections().contains("peers"));
    }

    @Test
    void everyKeywordZeroproxyReadsFromHaproxyIsOneHaproxyAllowsInThatSection() {
        List<String> strays = new ArrayList<>();
        for (SectionKind kind : SectionKind.values()) {
            for (String keyword : Keywords.supported(kind)) {
                if (!OURS.contains(keyword) && !Keywords.haproxySections(keyword).contains(kind)) {
                    strays.add(kind.keyword() + ": " + keyword);
                }
            }
        }
        assertEquals(List.of(), strays);
    }

    @Test
    void aListenReadsWhatAFrontendAndABackendRead() {
        Set<String> listen = Keywords.supported(SectionKind.LISTEN);

        assertTrue(listen.containsAll(Keywords.supported(SectionKind.FRONTEND)));
        assertTrue(listen.containsAll(Keywords.supported(SectionKind.BACKEND)));
    }

    @Test
    void everySupportedKeywordReachesAReader() {
        for (SectionKind kind : SectionKind.values()) {
            for (String keyword : Keywords.supported(kind)) {
                Problems problems = new Problems("t.cfg");
                SectionReader reader = kind == SectionKind.GLOBAL ? new GlobalReader()
                        : new ProxyReader(new ProxySection(kind, "x", problems.at(1, 1), new ProxySettings()),
                                new Addresses(Configs.RESOLVER));
                Statement line = new Statement(problems, 2, words(keyword));
                assertEquals(keyword, line.keyword());
                assertDoesNotThrow(() -> reader.read(line), kind + ": " + keyword);
            }
        }
    }

    @Test
    void aKeywordIsTheLongestRunOfWordsThatIsOne() {
        assertEquals("timeout connect", new Statement(new Problems("t"), 1, words("timeout connect 5s")).keyword());
        assertEquals("no option redispatch", new Statement(new Problems("t"), 1, words("no option redispatch"))
                .keyword());
        assertEquals("capture request header", new Statement(new Problems("t"), 1,
                words("capture request header Host len 20")).keyword());
        assertEquals("timeout clint", new Statement(new Problems("t"), 1, words("timeout clint 5s")).keyword());
        assertEquals("server", new Statement(new Problems("t"), 1, words("server s1 a:1")).keyword());
    }

    private static List<Token> words(String line) {
        return Tokenizer.words(line, 1, name -> null, new Problems("t.cfg"));
    }
}
