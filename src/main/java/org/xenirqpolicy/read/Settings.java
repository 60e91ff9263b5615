package org.xenirqpolicy.read;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.model.Strategy;

/**
 * Our own settings, from /etc/sysconfig/xen-irq-policy. Every key is optional; an unknown key or
 * a value out of range is an error that names the file and line, so a typo never goes unnoticed.
 *
 * @param strategy        STRATEGY: modulo, spread (default) or load
 * @param cpus            CPUS: only these CPUs take event channels; empty means no restriction
 * @param excludeIsolated EXCLUDE_ISOLATED: yes (default) keeps isolated (isolcpus=) and tickless
 *                        (nohz_full=) CPUs free
 * @param sampleSeconds   SAMPLE_SECONDS: how long the load strategy watches interrupt rates (default 3)
 * @param exclude         EXCLUDE: event channels never moved, by IRQ number, name glob or guest
 *                        ({@link Exclusions#parse}); none by default
 */
public record Settings(Strategy strategy, CpuSet cpus, boolean excludeIsolated, int sampleSeconds, Exclusions exclude) {
    public static final String PATH = "/etc/sysconfig/xen-irq-policy";
    public static final int MAX_SAMPLE_SECONDS = 600;
    private static final Set<String> KEYS = Set.of("STRATEGY", "CPUS", "EXCLUDE_ISOLATED", "SAMPLE_SECONDS", "EXCLUDE");

    public static Settings defaults() {
        return new Settings(Strategy.SPREAD, CpuSet.empty(), true, 3, Exclusions.NONE);
    }

    public static Settings parse(String text, String fileName) {
        Settings s = defaults();
        for (ShellVars.Assignment a : ShellVars.parse(text)) {
            String where = fileName + ":" + a.line() + ": ";
            String v = a.value();
            if (!KEYS.contains(a.key())) {
                throw new InputException(where + "unknown setting " + a.key() + " (known: "
                        + String.join(", ", List.copyOf(new TreeSet<>(KEYS))) + ")");
            }
            try {
                s = switch (a.key()) {
                    case "STRATEGY" -> new Settings(Strategy.parse(v), s.cpus, s.excludeIsolated, s.sampleSeconds, s.exclude);
                    case "CPUS" -> new Settings(s.strategy, CpuSet.parseList(v), s.excludeIsolated, s.sampleSeconds, s.exclude);
                    case "EXCLUDE_ISOLATED" -> new Settings(s.strategy, s.cpus, yesNo(v), s.sampleSeconds, s.exclude);
                    case "SAMPLE_SECONDS" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, seconds(v), s.exclude);
                    case "EXCLUDE" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, s.sampleSeconds,
                            Exclusions.parse(wholeList(text, a.line(), v)));
                    default -> throw new IllegalStateException("a key in KEYS without its case: " + a.key());
                };
            } catch (InputException e) {
                // The value's own message, told where it stands and for which key.
                throw new InputException(where + a.key() + ": " + e.getMessage());
            }
        }
        return s;
    }

    /**
     * A list read as sh reads it is cut at its first unquoted blank ({@code EXCLUDE=63 64} runs
     * {@code 64} with EXCLUDE=63) or runs on past the line in an open quote, which this reader
     * does not follow: either would drop selectors silently, so both are refused, and
     * {@code value} is returned only when its line holds nothing more.
     */
    private static String wholeList(String text, int line, String value) {
        String raw = text.replace("\r\n", "\n").split("\n", -1)[line - 1];
        if (raw.endsWith("\\")) {
            return value;
        }
        int i = raw.indexOf('=') + 1;
        char quote = 0;
        for (; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (c == '\\' && quote != '\'') {
                i++;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (quote != 0) {
            throw new InputException("the quote is not closed on this line: write the list on one line");
        }
        String rest = ShellRead.stripBlanks(raw.substring(Math.min(i, raw.length())));
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            throw new InputException("a list with blanks must be quoted: sh runs " + Quote.of(rest) + " as a command");
        }
        return value;
    }

    private static boolean yesNo(String v) {
        return switch (v) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new InputException(Quote.of(v) + " is not yes or no");
        };
    }

    private static int seconds(String v) {
        if (!v.matches("[0-9]{1,4}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_SAMPLE_SECONDS) {
            throw new InputException(Quote.of(v) + " is not a whole number of seconds from 1 to " + MAX_SAMPLE_SECONDS);
        }
        return Integer.parseInt(v);
    }
}
