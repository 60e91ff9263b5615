package org.xenirqpolicy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A kernel name, read one char per byte, shown as text in a message ({@link Quote#name}). */
class QuoteTest {
    /** The name as the engine holds it: its bytes, one char each, as Host reads files. */
    private static String asRead(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String asRead(String utf8) {
        return asRead(utf8.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void asciiIsShownAsItIs() {
        String name = "vif26.0-q1-tx";
        assertSame(name, Quote.name(name));
    }

    @Test
    void utf8BytesAreShownAsTheCharactersTheyEncode() {
        assertEquals("café-ü€", Quote.name(asRead("café-ü€")));
        assertEquals("vif-😀", Quote.name(asRead("vif-😀")));
    }

    @Test
    void bytesThatAreNotUtf8AndControlsAreEscapedAndTheRestStillDecoded() {
        // é in ISO-8859-1 (0xe9) is not UTF-8; the ü after it is.
        byte[] mixed = {'c', 'a', 'f', (byte) 0xe9, '-', (byte) 0xc3, (byte) 0xbc, '\n', '\t', 0x7f, (byte) 0xff};
        assertEquals("caf\\xe9-ü\\n\\t\\x7f\\xff", Quote.name(asRead(mixed)));
        // A UTF-8 sequence cut short, then one of a C1 control (U+009B, a terminal's CSI).
        byte[] cut = {'a', (byte) 0xe2, (byte) 0x82, 'b', (byte) 0xc2, (byte) 0x9b, 'c'};
        assertEquals("a\\xe2\\x82b\\u009bc", Quote.name(asRead(cut)));
    }

    /** As text for JSON and Prometheus ({@link Quote#text}): UTF-8 decoded, a byte that is not UTF-8 as U+FFFD, nothing escaped. */
    @Test
    void asTextUtf8IsDecodedAndOtherBytesBecomeTheReplacementCharacter() {
        String ascii = "vif26.0-q1-tx \\ \"";
        assertSame(ascii, Quote.text(ascii));
        assertEquals("café-ü€", Quote.text(asRead("café-ü€")));
        byte[] mixed = {'c', 'a', 'f', (byte) 0xe9, '-', (byte) 0xc3, (byte) 0xbc, '\n'};
        assertEquals("caf\uFFFD-ü\n", Quote.text(asRead(mixed)));
    }
}
