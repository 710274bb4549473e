package dev.zeroproxy.examples.admin;

/**
 * Writes JSON text into a {@link StringBuilder}: objects, arrays, names and values, with the
 * commas put in for the caller. Small on purpose: the admin endpoint writes a few fixed shapes
 * and needs no parser, so a JSON library would be a dependency for a dozen lines.
 *
 * <pre>{@code
 * String json = new JsonWriter().beginObject().name("id").value(7).name("client").value("127.0.0.1:5000")
 *         .endObject().toString();   // {"id":7,"client":"127.0.0.1:5000"}
 * }</pre>
 *
 * <p>Strings are escaped as RFC 8259 asks (quote, backslash, control characters), and U+2028 and
 * U+2029 too, so the text is also valid JavaScript. Doubles that JSON cannot carry (NaN,
 * infinities) are written as {@code null}. Not thread-safe; it does not check that the calls
 * nest properly (the callers are fixed code, covered by tests).
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder(256);
    /** Whether the next element of the current object or array is its first: no comma before it. */
    private boolean first = true;

    /** An empty writer. */
    public JsonWriter() { }

    /** Opens an object ({@code {}). */
    public JsonWriter beginObject() {
        separate();
        out.append('{');
        first = true;
        return this;
    }

    /** Closes the current object. */
    public JsonWriter endObject() {
        out.append('}');
        first = false;
        return this;
    }

    /** Opens an array ({@code [}). */
    public JsonWriter beginArray() {
        separate();
        out.append('[');
        first = true;
        return this;
    }

    /** Closes the current array. */
    public JsonWriter endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** The name of the next member of the current object; its value follows. */
    public JsonWriter name(String name) {
        separate();
        quote(name);
        out.append(':');
        first = true; // The value right after a name takes no comma.
        return this;
    }

    /** A string value, or {@code null}. */
    public JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    /** A whole number. */
    public JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    /** A number; {@code null} for NaN and the infinities, which JSON has no words for. */
    public JsonWriter value(double value) {
        separate();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            out.append(value);
        }
        return this;
    }

    /** A boolean. */
    public JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    /** {@code null}. */
    public JsonWriter nullValue() {
        separate();
        out.append("null");
        return this;
    }

    /** The text written so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void quote(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
