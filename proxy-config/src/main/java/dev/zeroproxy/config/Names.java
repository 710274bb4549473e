package dev.zeroproxy.config;

/**
 * The names a file gives to sections, servers and ACLs: HAProxy allows letters, digits and
 * {@code - _ . :} in them, and so do we, which keeps names safe to print in logs and metrics.
 */
final class Names {
    static final String EXPECTED = "a name made of letters, digits and - _ . :";

    private Names() { }

    /** Null if the name is fine; otherwise what is wrong with it. */
    static String problem(String name, String what) {
        if (name.isEmpty()) {
            return what + " name is empty";
        }
        for (int i = 0; i < name.length(); i = name.offsetByCodePoints(i, 1)) {
            int c = name.codePointAt(i);
            boolean allowed = (c < 128 && Character.isLetterOrDigit(c)) || c == '-' || c == '_' || c == '.'
                    || c == ':';
            if (!allowed) {
                return what + " name '" + name + "' contains " + describe(c);
            }
        }
        return null;
    }

    private static String describe(int c) {
        return Character.isISOControl(c) || Character.isWhitespace(c)
                ? String.format("the character U+%04X", c)
                : "'" + new String(Character.toChars(c)) + "'";
    }
}
