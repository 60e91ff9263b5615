package org.xenirqpolicy.read;

import java.util.List;
import java.util.Set;
import org.xenirqpolicy.model.CpuSet;
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
 */
public record Settings(Strategy strategy, CpuSet cpus, boolean excludeIsolated, int sampleSeconds) {
    public static final String PATH = "/etc/sysconfig/xen-irq-policy";
    public static final int MAX_SAMPLE_SECONDS = 600;
    private static final Set<String> KEYS = Set.of("STRATEGY", "CPUS", "EXCLUDE_ISOLATED", "SAMPLE_SECONDS");

    public static Settings defaults() {
        return new Settings(Strategy.SPREAD, CpuSet.empty(), true, 3);
    }

    public static Settings parse(String text, String fileName) {
        Settings s = defaults();
        for (ShellVars.Assignment a : ShellVars.parse(text)) {
            String where = fileName + ":" + a.line() + ": ";
            String v = a.value();
            try {
                s = switch (a.key()) {
                    case "STRATEGY" -> new Settings(Strategy.parse(v), s.cpus, s.excludeIsolated, s.sampleSeconds);
                    case "CPUS" -> new Settings(s.strategy, CpuSet.parseList(v), s.excludeIsolated, s.sampleSeconds);
                    case "EXCLUDE_ISOLATED" -> new Settings(s.strategy, s.cpus, yesNo(v), s.sampleSeconds);
                    case "SAMPLE_SECONDS" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, seconds(v));
                    default -> throw new InputException("unknown setting " + a.key() + " (known: "
                            + String.join(", ", List.copyOf(new java.util.TreeSet<>(KEYS))) + ")");
                };
            } catch (InputException e) {
                throw new InputException(where + (e.getMessage().startsWith("unknown") ? "" : a.key() + ": ")
                        + e.getMessage());
            }
        }
        return s;
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
