package org.xenirqpolicy.read;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xenirqpolicy.model.AdaptiveLimits;
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
 * @param adaptive        ADAPTIVE and the ADAPTIVE_* limits of the adaptive mode ({@link Adaptive})
 */
public record Settings(Strategy strategy, CpuSet cpus, boolean excludeIsolated, int sampleSeconds, Exclusions exclude,
        String metricsDir, int metricsIrqSeriesMax, Adaptive adaptive) {
    public static final String PATH = "/etc/sysconfig/xen-irq-policy";
    public static final int MAX_SAMPLE_SECONDS = 600;
    /** node_exporter's textfile directory as Debian's prometheus-node-exporter compiles it in. */
    public static final String DEFAULT_METRICS_DIR = "/var/lib/prometheus/node-exporter";
    public static final int DEFAULT_METRICS_IRQ_SERIES_MAX = 512;
    public static final int MAX_METRICS_IRQ_SERIES = 1_000_000;
    private static final Set<String> KEYS = Set.of("STRATEGY", "CPUS", "EXCLUDE_ISOLATED", "SAMPLE_SECONDS", "EXCLUDE",
            "METRICS_DIR", "METRICS_IRQ_SERIES_MAX", "ADAPTIVE", "ADAPTIVE_INTERVAL_MINUTES", "ADAPTIVE_THRESHOLD",
            "ADAPTIVE_SAMPLES", "ADAPTIVE_MAX_MOVES", "ADAPTIVE_COOLDOWN_MINUTES", "ADAPTIVE_QUEUE_SPREAD_COST");

    /**
     * The adaptive mode's settings (xen-irq-policy adapt, run by xen-irq-policy-adaptive.timer).
     *
     * @param enabled         ADAPTIVE: yes lets {@code adapt} move event channels (default no)
     * @param intervalMinutes ADAPTIVE_INTERVAL_MINUTES: the timer ticks every minute, and a tick
     *                        runs only when this many minutes passed since the last run (default 1)
     * @param limits          ADAPTIVE_THRESHOLD, ADAPTIVE_SAMPLES, ADAPTIVE_MAX_MOVES,
     *                        ADAPTIVE_COOLDOWN_MINUTES and ADAPTIVE_QUEUE_SPREAD_COST
     */
    public record Adaptive(boolean enabled, int intervalMinutes, AdaptiveLimits limits) {
        public static final int DEFAULT_INTERVAL_MINUTES = 1;

        public static Adaptive defaults() {
            return new Adaptive(false, DEFAULT_INTERVAL_MINUTES, AdaptiveLimits.defaults());
        }
    }

    public static Settings defaults() {
        return new Settings(Strategy.SPREAD, CpuSet.empty(), true, 3, Exclusions.NONE, DEFAULT_METRICS_DIR,
                DEFAULT_METRICS_IRQ_SERIES_MAX, Adaptive.defaults());
    }

    public static Settings parse(String text, String fileName) {
        Builder s = new Builder(defaults());
        int adaptiveLine = 0;
        for (ShellVars.Assignment a : ShellVars.parse(text)) {
            String where = fileName + ":" + a.line() + ": ";
            String v = a.value();
            if (!KEYS.contains(a.key())) {
                throw new InputException(where + "unknown setting " + a.key() + " (known: "
                        + String.join(", ", List.copyOf(new TreeSet<>(KEYS))) + ")");
            }
            try {
                switch (a.key()) {
                    case "STRATEGY" -> s.strategy = Strategy.parse(v);
                    case "CPUS" -> s.cpus = CpuSet.parseList(v);
                    case "EXCLUDE_ISOLATED" -> s.excludeIsolated = yesNo(v);
                    case "SAMPLE_SECONDS" -> s.sampleSeconds = seconds(v);
                    case "EXCLUDE" -> s.exclude = Exclusions.parse(wholeList(text, a.line(), v));
                    case "METRICS_DIR" -> s.metricsDir = directory(v);
                    case "METRICS_IRQ_SERIES_MAX" -> s.metricsIrqSeriesMax = seriesMax(v);
                    case "ADAPTIVE" -> {
                        s.adaptive = yesNo(v);
                        adaptiveLine = a.line();
                    }
                    case "ADAPTIVE_INTERVAL_MINUTES" -> s.intervalMinutes = whole(v, 1, 1440);
                    case "ADAPTIVE_THRESHOLD" -> s.threshold = decimal(v, AdaptiveLimits.MIN_THRESHOLD, 10.0);
                    case "ADAPTIVE_SAMPLES" -> s.samplesAbove = whole(v, 1, 100);
                    case "ADAPTIVE_MAX_MOVES" -> s.maxMoves = whole(v, 1, 10_000);
                    case "ADAPTIVE_COOLDOWN_MINUTES" -> s.coolDownMinutes = whole(v, 0, 10_080);
                    case "ADAPTIVE_QUEUE_SPREAD_COST" -> s.queueSpreadCost = decimal(v, 0.0, 1.0);
                    default -> throw new IllegalStateException("a key in KEYS without its case: " + a.key());
                }
            } catch (InputException e) {
                // The value's own message, told where it stands and for which key.
                throw new InputException(where + a.key() + ": " + e.getMessage());
            }
        }
        if (s.adaptive && s.strategy == Strategy.MODULO) {
            // Modulo places by IRQ number and keeps no placement: each run would undo the last one's moves.
            throw new InputException(fileName + ":" + adaptiveLine
                    + ": ADAPTIVE: yes needs STRATEGY spread or load; modulo places by IRQ number and would undo every adaptive move");
        }
        return s.build();
    }

    /** The settings as parse reads them, one key at a time. */
    private static final class Builder {
        Strategy strategy;
        CpuSet cpus;
        boolean excludeIsolated;
        int sampleSeconds;
        Exclusions exclude;
        String metricsDir;
        int metricsIrqSeriesMax;
        boolean adaptive;
        int intervalMinutes;
        double threshold;
        int samplesAbove;
        int maxMoves;
        long coolDownMinutes;
        double queueSpreadCost;

        Builder(Settings d) {
            strategy = d.strategy;
            cpus = d.cpus;
            excludeIsolated = d.excludeIsolated;
            sampleSeconds = d.sampleSeconds;
            exclude = d.exclude;
            metricsDir = d.metricsDir;
            metricsIrqSeriesMax = d.metricsIrqSeriesMax;
            adaptive = d.adaptive.enabled();
            intervalMinutes = d.adaptive.intervalMinutes();
            AdaptiveLimits l = d.adaptive.limits();
            threshold = l.threshold();
            samplesAbove = l.samplesAbove();
            maxMoves = l.maxMoves();
            coolDownMinutes = l.coolDownSeconds() / 60;
            queueSpreadCost = l.queueSpreadCost();
        }

        Settings build() {
            return new Settings(strategy, cpus, excludeIsolated, sampleSeconds, exclude, metricsDir, metricsIrqSeriesMax,
                    new Adaptive(adaptive, intervalMinutes,
                            new AdaptiveLimits(threshold, samplesAbove, maxMoves, coolDownMinutes * 60, queueSpreadCost)));
        }
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

    /** A whole number from {@code min} to {@code max}, digits only. */
    private static int whole(String v, int min, int max) {
        if (!v.matches("[0-9]{1,6}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
            throw new InputException(Quote.of(v) + " is not a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(v);
    }

    /** A decimal number such as 1.25, from {@code min} to {@code max}: digits and one point, no exponent. */
    private static double decimal(String v, double min, double max) {
        if (!v.matches("[0-9]{1,3}(\\.[0-9]{1,6})?") || Double.parseDouble(v) < min || Double.parseDouble(v) > max) {
            throw new InputException(Quote.of(v) + " is not a decimal number from " + plain(min) + " to " + plain(max));
        }
        return Double.parseDouble(v);
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static int seconds(String v) {
        if (!v.matches("[0-9]{1,4}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_SAMPLE_SECONDS) {
            throw new InputException(Quote.of(v) + " is not a whole number of seconds from 1 to " + MAX_SAMPLE_SECONDS);
        }
        return Integer.parseInt(v);
    }
}
