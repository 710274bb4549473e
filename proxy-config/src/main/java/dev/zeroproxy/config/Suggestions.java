package dev.zeroproxy.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The "did you mean" of an error: the candidate closest to a misspelt word, by optimal string
 * alignment distance (Damerau–Levenshtein without moving a character twice: insertions,
 * deletions, substitutions and swaps of two neighbours each count one), ignoring case. A
 * candidate is close enough within two edits or a third of its length, whichever is more, and
 * only if fewer edits than the word has characters (otherwise "x" would suggest any two-letter
 * keyword). Ties go to the first candidate, so that suggestions follow the order of the tables.
 */
final class Suggestions {
    private Suggestions() { }

    /** The closest candidate, or null when none is close enough. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = score(word, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * The closest candidate to a line's first words, each candidate compared with as many words as
     * it has ({@code timout connect} is one edit from {@code timeout connect}); null when none is
     * close enough.
     */
    static String closestKeyword(List<String> words, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int length = candidate.split(" ").length;
            if (length > words.size()) {
                continue;
            }
            int distance = score(String.join(" ", words.subList(0, length)), candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** The distance between a word and a candidate, or MAX_VALUE when too far to suggest. */
    private static int score(String word, String candidate) {
        int limit = Math.max(2, candidate.length() / 3);
        // Lengths that differ by more than the limit need more edits than it.
        if (Math.abs(candidate.length() - word.length()) > limit) {
            return Integer.MAX_VALUE;
        }
        int distance = EditDistance.between(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
        return distance <= limit && distance < word.length() ? distance : Integer.MAX_VALUE;
    }
}
