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
 * @param metricsDir      METRICS_DIR: where {@code metrics --textfile} writes its file, node_exporter's
 *                        textfile directory (default {@value #DEFAULT_METRICS_DIR})
 * @param metricsIrqSeriesMax METRICS_IRQ_SERIES_MAX: the per-IRQ series of {@code metrics} are
 *                        written only for at most this many event channels, to bound the series a
 *                        host sends (default {@value #DEFAULT_METRICS_IRQ_SERIES_MAX}; 0: never)
 */
public record Settings(Strategy strategy, CpuSet cpus, boolean excludeIsolated, int sampleSeconds, Exclusions exclude,
        String metricsDir, int metricsIrqSeriesMax) {
    public static final String PATH = "/etc/sysconfig/xen-irq-policy";
    public static final int MAX_SAMPLE_SECONDS = 600;
    /** node_exporter's textfile directory as Debian's prometheus-node-exporter compiles it in. */
    public static final String DEFAULT_METRICS_DIR = "/var/lib/prometheus/node-exporter";
    public static final int DEFAULT_METRICS_IRQ_SERIES_MAX = 512;
    public static final int MAX_METRICS_IRQ_SERIES = 1_000_000;
    private static final Set<String> KEYS = Set.of("STRATEGY", "CPUS", "EXCLUDE_ISOLATED", "SAMPLE_SECONDS", "EXCLUDE",
            "METRICS_DIR", "METRICS_IRQ_SERIES_MAX");

    public static Settings defaults() {
        return new Settings(Strategy.SPREAD, CpuSet.empty(), true, 3, Exclusions.NONE, DEFAULT_METRICS_DIR,
                DEFAULT_METRICS_IRQ_SERIES_MAX);
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
                    case "STRATEGY" -> new Settings(Strategy.parse(v), s.cpus, s.excludeIsolated, s.sampleSeconds, s.exclude,
                            s.metricsDir, s.metricsIrqSeriesMax);
                    case "CPUS" -> new Settings(s.strategy, CpuSet.parseList(v), s.excludeIsolated, s.sampleSeconds, s.exclude,
                            s.metricsDir, s.metricsIrqSeriesMax);
                    case "EXCLUDE_ISOLATED" -> new Settings(s.strategy, s.cpus, yesNo(v), s.sampleSeconds, s.exclude,
                            s.metricsDir, s.metricsIrqSeriesMax);
                    case "SAMPLE_SECONDS" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, seconds(v), s.exclude,
                            s.metricsDir, s.metricsIrqSeriesMax);
                    case "EXCLUDE" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, s.sampleSeconds,
                            Exclusions.parse(wholeList(text, a.line(), v)), s.metricsDir, s.metricsIrqSeriesMax);
                    case "METRICS_DIR" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, s.sampleSeconds, s.exclude,
                            directory(v), s.metricsIrqSeriesMax);
                    case "METRICS_IRQ_SERIES_MAX" -> new Settings(s.strategy, s.cpus, s.excludeIsolated, s.sampleSeconds,
                            s.exclude, s.metricsDir, seriesMax(v));
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

    /**
     * An absolute directory, as systemd's ReadWritePaths= of the metrics service must name it; a
     * trailing slash is dropped so that the file's path is spelt one way.
     */
    private static String directory(String v) {
        if (!v.startsWith("/") || v.contains("\n") || v.contains("\0")) {
            throw new InputException(Quote.of(v) + " is not an absolute directory");
        }
        String dir = v.replaceAll("/+$", "");
        return dir.isEmpty() ? "/" : dir;
    }

    private static int seriesMax(String v) {
        if (!v.matches("[0-9]{1,7}") || Integer.parseInt(v) > MAX_METRICS_IRQ_SERIES) {
            throw new InputException(Quote.of(v) + " is not a whole number from 0 to " + MAX_METRICS_IRQ_SERIES);
        }
        return Integer.parseInt(v);
    }

    private static int seconds(String v) {
        if (!v.matches("[0-9]{1,4}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_SAMPLE_SECONDS) {
            throw new InputException(Quote.of(v) + " is not a whole number of seconds from 1 to " + MAX_SAMPLE_SECONDS);
        }
        return Integer.parseInt(v);
    }
}
