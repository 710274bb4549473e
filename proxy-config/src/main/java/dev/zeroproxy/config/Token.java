package dev.zeroproxy.config;

/**
 * One word of a line as HAProxy reads it (quotes, escapes and variables resolved), with the column
 * each of its characters came from, so that an error about part of a word (one address of a
 * comma-separated list, the port of an address) points at that part even when an escape, a quote
 * or an expanded variable shifted it.
 */
final class Token {
    private final String text;
    private final int column;
    private final int[] columns;
    private final int endColumn;

    /**
     * @param text the word
     * @param column where the word starts (its opening quote, if it starts with one)
     * @param columns the column of each {@code char} of {@code text}
     * @param endColumn the column just after the word
     */
    Token(String text, int column, int[] columns, int endColumn) {
        this.text = text;
        this.column = column;
        this.columns = columns.clone();
        this.endColumn = endColumn;
    }

    String text() {
        return text;
    }

    int column() {
        return column;
    }

    /** The column of {@code text().charAt(index)}; past the end, the column after the word. */
    int columnAt(int index) {
        if (index <= 0) {
            return column;
        }
        return index < columns.length ? columns[index] : endColumn;
    }

    boolean is(String word) {
        return text.equals(word);
    }

    @Override
    public String toString() {
        return text + "@" + column;
    }
}
