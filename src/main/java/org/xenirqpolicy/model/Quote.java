package org.xenirqpolicy.model;

/**
 * The one escaper for text from files and the OS in messages, so that a message stays one line
 * on a terminal and one record in the journal whatever the text holds.
 */
public final class Quote {
    /** The most characters of a value a message shows. */
    public static final int MAX = 64;

    private Quote() {
    }

    /**
     * A value from a file, shown in a message: in single quotes, on one line whatever it holds,
     * and short. Control characters, bytes from 0x7f up (files are read as ISO-8859-1),
     * backslashes and quotes are escaped; a long value is cut with "...".
     */
    public static String of(String value) {
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), MAX);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                escape(c, out);
            } else {
                out.append(c);
            }
        }
        return out.append(value.length() > MAX ? "'..." : "'").toString();
    }

    /**
     * A whole message on one line: only control characters are escaped, so that paths and OS
     * reasons read as they are; the text itself is returned when it holds none.
     */
    public static String line(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c == 0x7f;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (control) {
                escape(c, out);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static void escape(char c, StringBuilder out) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
    }
}
