package dev.zeroproxy.upstream;

/**
 * Bytes written for a log line or a check's detail: printable ASCII as itself, the rest escaped
 * ({@code \r}, {@code \n}, {@code \t}, {@code \\}, {@code \'}, else {@code \xNN}), so a binary
 * reply reads unambiguously and cannot break the line it is logged on.
 */
final class PrintableBytes {
    /** Longer values are cut here and end in "...": a detail is a log line, not a dump. */
    static final int MAX_SHOWN = 64;

    private PrintableBytes() { }

    /** {@code 'text'}, escaped and quoted, of {@code bytes[0..length)}. */
    static String quoted(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(Math.min(length, MAX_SHOWN) + 8).append('\'');
        for (int i = 0; i < Math.min(length, MAX_SHOWN); i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.append((char) b);
                    } else {
                        out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
                    }
                }
            }
        }
        if (length > MAX_SHOWN) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    static String quoted(byte[] bytes) {
        return quoted(bytes, bytes.length);
    }
}
