package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the variable assignments of a sysconfig file the way sh sees them: {@code KEY=value},
 * {@code KEY="quoted value"}, {@code KEY='literal'}, an optional {@code export}, comments (also
 * after a value), backslash-newline continuations and CRLF line ends. Lines that are not
 * assignments are ignored. This is the reading of /etc/sysconfig/xen-irq-policy, which only we
 * read, and of what sh makes of /etc/sysconfig/irqbalance; what irqbalance gets from that file
 * is what systemd reads in it, {@link EnvironmentFile}.
 */
public final class ShellVars {
    /** One assignment; {@code line} is the 1-based line where it starts. */
    public record Assignment(String key, String value, int line) {
    }

    private ShellVars() {
    }

    public static List<Assignment> parse(String text) {
        List<Assignment> out = new ArrayList<>();
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int startLine = i + 1;
            String line = lines[i];
            // A trailing backslash continues the logical line (outside single quotes, which is
            // the only case these files use it for).
            while (line.endsWith("\\") && i + 1 < lines.length) {
                line = line.substring(0, line.length() - 1) + lines[++i];
            }
            Assignment a = assignment(line, startLine);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** The value of the last assignment to {@code key}, or null. */
    public static Assignment last(List<Assignment> assignments, String key) {
        Assignment found = null;
        for (Assignment a : assignments) {
            if (a.key().equals(key)) {
                found = a;
            }
        }
        return found;
    }

    private static Assignment assignment(String line, int lineNumber) {
        String s = ShellRead.stripBlanks(line);
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        if (s.startsWith("export ") || s.startsWith("export\t")) {
            s = ShellRead.stripBlanks(s.substring(7));
        }
        int eq = s.indexOf('=');
        if (eq <= 0 || !isName(s.substring(0, eq))) {
            return null;
        }
        return new Assignment(s.substring(0, eq), unquote(s.substring(eq + 1)), lineNumber);
    }

    /** sh's names: ASCII letters, digits and '_', not starting with a digit, as systemd's. */
    private static boolean isName(String key) {
        return EnvironmentFile.isName(key);
    }

    /** Shell word rules for one value: quotes removed, escapes resolved, unquoted {@code #} starts a comment. */
    private static String unquote(String raw) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = raw.length();
        while (i < n) {
            char c = raw.charAt(i);
            if (c == '\'') {
                int end = raw.indexOf('\'', i + 1);
                end = end < 0 ? n : end;
                out.append(raw, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (i < n && raw.charAt(i) != '"') {
                    char d = raw.charAt(i);
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(raw.charAt(i + 1)) >= 0) {
                        d = raw.charAt(++i);
                    }
                    out.append(d);
                    i++;
                }
                i++;
            } else if (c == '\\' && i + 1 < n) {
                out.append(raw.charAt(i + 1));
                i += 2;
            } else if (c == ' ' || c == '\t') {
                // Unquoted white space ends the value; what follows is a comment or a command.
                break;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
