package dev.zeroproxy.examples.forwarder;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Guesses which option an unknown {@code --word} on the command line was meant to be, for the
 * error picocli reports first when that option was a required one ("Missing required option
 * '--upstream'" for {@code --upstrem}), which comes without picocli's own suggestions.
 */
final class MisspeltOptions {
    /** Edits (insert, delete, replace, swap) within which a word counts as a misspelling. */
    private static final int MOST_EDITS = 2;

    private MisspeltOptions() { }

    /** " (did you mean --upstream for --upstrem?)" for each unknown long option in {@code args}, or "". */
    static String hint(CommandSpec command, String[] args) {
        List<String> guesses = new ArrayList<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                continue;
            }
            String word = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (command.findOption(word) != null) {
                continue;
            }
            String best = null;
            int bestEdits = MOST_EDITS + 1;
            for (String name : command.optionsMap().keySet()) {
                int edits = edits(word, name);
                if (name.startsWith("--") && edits < bestEdits) {
                    best = name;
                    bestEdits = edits;
                }
            }
            if (best != null) {
                guesses.add(best + " for " + word);
            }
        }
        return guesses.isEmpty() ? "" : " (did you mean " + String.join(", ", guesses) + "?)";
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int edits(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
