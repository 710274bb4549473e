package dev.zeroproxy.config;

/**
 * How many edits turn one word into another: the optimal string alignment distance (insertions,
 * deletions, substitutions and swaps of two neighbours, no character moved twice). What the
 * "did you mean" of a configuration file's errors ranks keywords and names by; public so that the
 * command line suggests its flags by the same measure.
 */
public final class EditDistance {
    private EditDistance() { }

    /** The number of edits between {@code a} and {@code b}, case-sensitive. */
    public static int between(String a, String b) {
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
