package org.xenirqpolicy.model;

/**
 * A value from a file, shown in a message: in single quotes, on one line whatever it holds, and
 * short. Control characters, bytes from 0x7f up (files are read as ISO-8859-1), backslashes and
 * quotes are escaped; a long value is cut with "...".
 */
public final class Quote {
    /** The most characters of a value a message shows. */
    public static final int MAX = 64;

    private Quote() {
    }

    public static String of(String value) {
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), MAX);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(value.length() > MAX ? "'..." : "'").toString();
    }
}
