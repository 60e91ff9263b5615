package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file as systemd reads it for {@code EnvironmentFile=}, which is how irqbalance.service hands
 * /etc/sysconfig/irqbalance to irqbalance, and how systemd then splits {@code $VAR} on an
 * {@code ExecStart=} line into arguments. The reference is systemd 252 (Debian 12):
 * {@code parse_env_file_internal} in src/basic/env-file.c, {@code strv_env_clean} and
 * {@code replace_env_argv} in src/basic/env-util.c, {@code extract_first_word} in
 * src/basic/extract-word.c. Where this differs from sh:
 * <ul>
 * <li>a comment is a line whose first non-blank is {@code #} or {@code ;}; after a value,
 * {@code # ...} is part of the value, and blanks after a closing quote are dropped
 * ({@code A="x" # c} is {@code x# c});</li>
 * <li>quotes only count at the start of a value or right after a closing quote; inside an
 * unquoted value they are literal;</li>
 * <li>a backslash at the end of a comment line makes the next line part of the comment;</li>
 * <li>{@code \r} ends a line like {@code \n};</li>
 * <li>{@code export A=1} sets nothing: "export A" is not a valid variable name;</li>
 * <li>a NUL byte anywhere, or a key or value that is not valid UTF-8, makes systemd refuse the
 * whole file (ignored as a whole with {@code EnvironmentFile=-}).</li>
 * </ul>
 * Pure: the file's bytes as ISO-8859-1 characters in, values out.
 */
public final class EnvironmentFile {
    /**
     * What systemd reads, after dropping invalid names; if it refuses the whole file,
     * {@code refusedLine} &gt; 0 is where, and {@code refusedBecause} says why.
     */
    public record Reading(List<ShellVars.Assignment> assignments, int refusedLine, String refusedBecause) {
        public boolean refused() {
            return refusedLine > 0;
        }
    }

    /**
     * One assignment the parser hands on, before names are checked: {@code value} is null when no
     * character was kept after the '=' ({@code A=}, {@code A=""}), which EnvironmentFile= sets to ""
     * and environment.d ignores.
     */
    public record Push(String key, String value, int line) {
    }

    private enum State {
        PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SINGLE_QUOTE_VALUE, DOUBLE_QUOTE_VALUE,
        DOUBLE_QUOTE_VALUE_ESCAPE, COMMENT, COMMENT_ESCAPE
    }

    private static final String WHITESPACE = " \t\n\r";
    private static final String NEWLINE = "\n\r";
    private static final String SHELL_NEED_ESCAPE = "\"\\`$";

    private EnvironmentFile() {
    }

    /** The file as EnvironmentFile= sets it: each valid name once, with its last value. */
    public static Reading read(String text) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            // read_full_file refuses a file with a NUL byte when the caller relies on the final NUL.
            return new Reading(List.of(), lineAt(text, nul), "a NUL byte");
        }
        Map<String, ShellVars.Assignment> set = new LinkedHashMap<>();
        for (Push p : pushes(text)) {
            String value = p.value() == null ? "" : p.value();
            if (!isUtf8(p.key()) || !isUtf8(value)) {
                return new Reading(List.of(), p.line(), "not valid UTF-8");
            }
            if (isName(p.key())) {
                // strv_env_replace: a name keeps its first place and takes the last value.
                set.put(p.key(), new ShellVars.Assignment(p.key(), value, p.line()));
            }
        }
        return new Reading(List.copyOf(set.values()), 0, "");
    }

    private static int lineAt(String text, int index) {
        return (int) text.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
    }

    /**
     * The assignments as parse_env_file_internal hands them on, in order, names unchecked; none
     * from a file with a NUL byte, which systemd does not parse.
     */
    public static List<Push> pushes(String text) {
        if (text.indexOf('\0') >= 0) {
            return List.of();
        }
        String s = text;
        List<Push> out = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        StringBuilder value = null;
        int lastKeyWhitespace = -1;
        int lastValueWhitespace = -1;
        int line = 1;
        int keyLine = 1;
        State state = State.PRE_KEY;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (state) {
                case PRE_KEY -> {
                    if (c == '#' || c == ';') {
                        state = State.COMMENT;
                    } else if (WHITESPACE.indexOf(c) < 0) {
                        state = State.KEY;
                        key.setLength(0);
                        key.append(c);
                        keyLine = line;
                        lastKeyWhitespace = -1;
                    }
                }
                case KEY -> {
                    if (NEWLINE.indexOf(c) >= 0) {
                        state = State.PRE_KEY;
                    } else if (c == '=') {
                        state = State.PRE_VALUE;
                        value = null;
                        lastValueWhitespace = -1;
                    } else {
                        if (WHITESPACE.indexOf(c) < 0) {
                            lastKeyWhitespace = -1;
                        } else if (lastKeyWhitespace < 0) {
                            lastKeyWhitespace = key.length();
                        }
                        key.append(c);
                    }
                }
                case PRE_VALUE -> {
                    if (NEWLINE.indexOf(c) >= 0) {
                        state = State.PRE_KEY;
                        out.add(push(key, lastKeyWhitespace, value, -1, keyLine));
                    } else if (c == '\'') {
                        state = State.SINGLE_QUOTE_VALUE;
                    } else if (c == '"') {
                        state = State.DOUBLE_QUOTE_VALUE;
                    } else if (c == '\\') {
                        state = State.VALUE_ESCAPE;
                    } else if (WHITESPACE.indexOf(c) < 0) {
                        state = State.VALUE;
                        value = append(value, c);
                    }
                }
                case VALUE -> {
                    if (NEWLINE.indexOf(c) >= 0) {
                        state = State.PRE_KEY;
                        out.add(push(key, lastKeyWhitespace, value, lastValueWhitespace, keyLine));
                    } else if (c == '\\') {
                        state = State.VALUE_ESCAPE;
                        lastValueWhitespace = -1;
                    } else {
                        if (WHITESPACE.indexOf(c) < 0) {
                            lastValueWhitespace = -1;
                        } else if (lastValueWhitespace < 0) {
                            lastValueWhitespace = value == null ? 0 : value.length();
                        }
                        value = append(value, c);
                    }
                }
                case VALUE_ESCAPE -> {
                    state = State.VALUE;
                    // An escaped line break is dropped: the value goes on on the next line.
                    if (NEWLINE.indexOf(c) < 0) {
                        value = append(value, c);
                    }
                }
                case SINGLE_QUOTE_VALUE -> {
                    if (c == '\'') {
                        state = State.PRE_VALUE;
                    } else {
                        value = append(value, c);
                    }
                }
                case DOUBLE_QUOTE_VALUE -> {
                    if (c == '"') {
                        state = State.PRE_VALUE;
                    } else if (c == '\\') {
                        state = State.DOUBLE_QUOTE_VALUE_ESCAPE;
                    } else {
                        value = append(value, c);
                    }
                }
                case DOUBLE_QUOTE_VALUE_ESCAPE -> {
                    state = State.DOUBLE_QUOTE_VALUE;
                    if (SHELL_NEED_ESCAPE.indexOf(c) >= 0) {
                        value = append(value, c);
                    } else if (c != '\n') {
                        // Only \n is a continuation here: a \r keeps its backslash.
                        value = append(value, '\\').append(c);
                    }
                }
                case COMMENT -> {
                    if (c == '\\') {
                        state = State.COMMENT_ESCAPE;
                    } else if (NEWLINE.indexOf(c) >= 0) {
                        state = State.PRE_KEY;
                    }
                }
                // systemd 252: the character after a backslash in a comment, a line break too,
                // stays in the comment (254 changed this).
                case COMMENT_ESCAPE -> state = State.COMMENT;
            }
            if (c == '\n') {
                line++;
            }
        }
        switch (state) {
            case PRE_VALUE, SINGLE_QUOTE_VALUE, DOUBLE_QUOTE_VALUE, DOUBLE_QUOTE_VALUE_ESCAPE, VALUE_ESCAPE ->
                    out.add(push(key, lastKeyWhitespace, value, -1, keyLine));
            case VALUE -> out.add(push(key, lastKeyWhitespace, value, lastValueWhitespace, keyLine));
            default -> {
            }
        }
        return out;
    }

    private static StringBuilder append(StringBuilder value, char c) {
        return (value == null ? new StringBuilder() : value).append(c);
    }

    private static Push push(StringBuilder key, int lastKeyWhitespace, StringBuilder value, int lastValueWhitespace, int line) {
        String k = lastKeyWhitespace >= 0 ? key.substring(0, lastKeyWhitespace) : key.toString();
        String v = value == null ? null : lastValueWhitespace >= 0 ? value.substring(0, lastValueWhitespace) : value.toString();
        return new Push(k, v, line);
    }

    /**
     * The arguments systemd makes of {@code $VAR} standing alone on an ExecStart= line:
     * split on blanks, quotes (either kind) removed, a backslash taking the next character
     * literally, inside quotes too; an unclosed quote or a trailing backslash is accepted.
     */
    public static List<String> execWords(String value) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (true) {
            while (i < n && WHITESPACE.indexOf(value.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                return words;
            }
            StringBuilder w = new StringBuilder();
            char quote = 0;
            for (; i < n; i++) {
                char c = value.charAt(i);
                if (c == '\\') {
                    if (++i < n) {
                        w.append(value.charAt(i));
                    }
                } else if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        w.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (WHITESPACE.indexOf(c) >= 0) {
                    break;
                } else {
                    w.append(c);
                }
            }
            words.add(w.toString());
        }
    }

    /** env_name_is_valid: letters, digits and '_', not starting with a digit. */
    static boolean isName(String key) {
        if (key.isEmpty() || (key.charAt(0) >= '0' && key.charAt(0) <= '9')) {
            return false;
        }
        return key.chars().allMatch(c -> c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }

    /** systemd's utf8_is_valid over the bytes (ISO-8859-1 characters): shortest forms, no surrogates, no noncharacters. */
    public static boolean isUtf8(String latin1) {
        int n = latin1.length();
        for (int i = 0; i < n; ) {
            int b = latin1.charAt(i);
            int len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4
                    : (b & 0xfc) == 0xf8 ? 5 : (b & 0xfe) == 0xfc ? 6 : 0;
            if (len == 0 || i + len > n) {
                return false;
            }
            if (len > 1) {
                int u = b & (0xff >> (len + 1));
                for (int k = 1; k < len; k++) {
                    int cont = latin1.charAt(i + k);
                    if ((cont & 0xc0) != 0x80) {
                        return false;
                    }
                    u = (u << 6) | (cont & 0x3f);
                }
                int shortest = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : u < 0x200000 ? 4 : u < 0x4000000 ? 5 : 6;
                if (shortest != len || u >= 0x110000 || (u & 0xfffff800) == 0xd800 || (u >= 0xfdd0 && u <= 0xfdef)
                        || (u & 0xfffe) == 0xfffe) {
                    return false;
                }
            }
            i += len;
        }
        return true;
    }
}
