package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.List;

/**
 * Text as the irqbalance hook's shell reads it, so that the engine writes in the plan exactly the
 * bytes the hook compares (xen-irq-policy(8), PLAN FILE). Files are read as ISO-8859-1, one char
 * per byte, and the plan is written back the same way: every byte but NUL and newline
 * round-trips. dash and bash drop NUL bytes as {@code read} takes a line, and split words on
 * spaces and tabs only (the default IFS; the newline ends the line): not on the other white
 * space of Java's {@code strip}, such as vertical tab, form feed, carriage return or 0x1c-0x1f.
 */
public final class ShellRead {
    private ShellRead() {
    }

    /** What {@code read -r NAME <FILE} yields: the first line, NUL bytes dropped, leading and trailing spaces and tabs removed. */
    public static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return stripBlanks((newline < 0 ? text : text.substring(0, newline)).replace("\0", ""));
    }

    /** Without leading and trailing blanks (spaces and tabs, see {@link #isBlank}). */
    public static String stripBlanks(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isBlank(s.charAt(from))) {
            from++;
        }
        while (to > from && isBlank(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    /** The words of a line (no newline in it) as the shell splits it: NUL bytes dropped, spaces and tabs separate. */
    public static List<String> words(String line) {
        String s = line.replace("\0", "");
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isBlank(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !isBlank(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words;
    }

    /** A space or a tab: the white space of the shell's default IFS within a line. */
    public static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
