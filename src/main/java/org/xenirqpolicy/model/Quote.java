package org.xenirqpolicy.model;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

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

    /**
     * A name from the kernel (an IRQ's action, read one char per byte as ISO-8859-1) shown as
     * text in a message: bytes that are UTF-8 as the characters they encode, so that "café" reads
     * as café on a UTF-8 stream and not as the two characters per byte of its encoding; a byte
     * that is not part of UTF-8, and a control character, escaped as \xNN, so that the message
     * stays one line and tells the bytes. A name of ASCII is returned as it is.
     */
    public static String name(String bytes) {
        boolean plain = true;
        for (int i = 0; i < bytes.length() && plain; i++) {
            char c = bytes.charAt(i);
            plain = c >= 0x20 && c < 0x7f;
        }
        if (plain) {
            return bytes;
        }
        StringBuilder out = new StringBuilder(bytes.length() + 8);
        int start = 0;
        for (int i = 0; i <= bytes.length(); i++) {
            // A char above 0xff is no byte: it is kept as the character it is.
            if (i == bytes.length() || bytes.charAt(i) > 0xff) {
                decodeUtf8(bytes.substring(start, i), out);
                if (i < bytes.length()) {
                    out.append(bytes.charAt(i));
                }
                start = i + 1;
            }
        }
        return out.toString();
    }

    /**
     * A name from the kernel (read one char per byte) as the text its UTF-8 bytes encode, for
     * output whose readers want text and which has no escape for a byte (JSON, Prometheus labels):
     * a byte that is not part of UTF-8 becomes U+FFFD. Nothing is escaped; the caller's format
     * does that. A name of ASCII is returned as it is.
     */
    public static String text(String bytes) {
        boolean ascii = true;
        for (int i = 0; i < bytes.length() && ascii; i++) {
            ascii = bytes.charAt(i) < 0x80;
        }
        if (ascii) {
            return bytes;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a decoder that replaces cannot fail", e);
        }
    }

    private static void decodeUtf8(String bytes, StringBuilder out) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1));
        CharBuffer text = CharBuffer.allocate(bytes.length());
        while (true) {
            CoderResult result = decoder.decode(in, text, true);
            appendEscaped(text.flip(), out);
            text.clear();
            if (result.isUnderflow()) {
                return;
            }
            // Malformed (or unmappable) bytes: each escaped, then decoding goes on after them.
            for (int n = 0; n < result.length(); n++) {
                escape((char) (in.get() & 0xff), out);
            }
        }
    }

    private static void appendEscaped(CharBuffer text, StringBuilder out) {
        while (text.hasRemaining()) {
            char c = text.get();
            if (c < 0x20 || c == 0x7f) {
                escape(c, out);
            } else if (c >= 0x80 && c < 0xa0) {
                // A C1 control, which a terminal may obey: named by its code point, as it was two bytes.
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
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
