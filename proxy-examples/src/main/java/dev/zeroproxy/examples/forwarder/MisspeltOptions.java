package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.config.EditDistance;
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
                int edits = EditDistance.between(word, name);
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
}
