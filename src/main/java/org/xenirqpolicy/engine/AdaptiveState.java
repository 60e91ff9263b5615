package org.xenirqpolicy.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.plan.AdaptiveMemory;
import org.xenirqpolicy.plan.AdaptiveMove;
import org.xenirqpolicy.plan.AdaptiveStep;

/**
 * What {@code xen-irq-policy adapt} keeps between runs, in {@value #PATH}: the planner's memory
 * (consecutive runs above the threshold, the last move of each IRQ for its cool-down) and a
 * record of the last run for {@code status}. One line each, in this order:
 *
 * <pre>
 * xen-irq-policy adaptive 1
 * samples-above N
 * cooling IRQ EPOCH_SECONDS NAME          (one per IRQ moved, its last move)
 * run EPOCH_SECONDS WINDOW_SECONDS WHY RATIO_BEFORE RATIO_AFTER
 * move IRQ FROM TO RATE NAME              (one per move of that run; RATE: its interrupts in the window)
 * rate IRQ RATE NAME                      (one per event channel: its estimated interrupts per window)
 * </pre>
 *
 * RATE is the estimate that run chose its moves by (plan/Adaptive.estimate: half its window's
 * count, half the estimate of the run before). The next run averages its own window with it, and
 * an apply between two runs deals a starting guest's channels onto the CPUs that carry the least
 * traffic by it, not those holding the fewest queues (see SpreadStrategy). A file of an earlier
 * release reads as it is: without rate lines as a run with no rates; with them (its window's
 * counts) as an estimate, which is one.
 *
 * NAME is the rest of the line, bytes as read (ISO-8859-1), as names are in the plan. It lives in
 * /run: a reboot forgets it, as it does every placement. Only a file that reads whole and is
 * owned by root or by this process's user is trusted; anything else (cut short, edited, of another
 * version, planted by another user, a link) counts as no file: empty memory, no last run. It is
 * written atomically (a temporary file renamed over it), under the apply lock.
 *
 * @param memory the planner's memory for the next run
 * @param last   the last run, if one was recorded
 */
public record AdaptiveState(AdaptiveMemory memory, Optional<Run> last) {
    public static final String PATH = Locations.RUN_DIR + "/adaptive";
    private static final String HEADER = "xen-irq-policy adaptive 1";
    private static final String NAME = "(.*)";
    private static final Pattern SAMPLES = Pattern.compile("samples-above (0|[1-9][0-9]{0,8})");
    private static final Pattern COOLING = Pattern.compile("cooling (0|[1-9][0-9]{0,8}) (0|[1-9][0-9]{0,17}) " + NAME);
    private static final Pattern RUN = Pattern.compile("run (0|[1-9][0-9]{0,17}) (0|[1-9][0-9]{0,3}) ([A-Z]{1,10}) (NaN|[0-9]{1,9}\\.[0-9]{4}) (NaN|[0-9]{1,9}\\.[0-9]{4})");
    private static final Pattern MOVE = Pattern.compile("move (0|[1-9][0-9]{0,8}) (0|[1-9][0-9]{0,8}) (0|[1-9][0-9]{0,8}) (0|[1-9][0-9]{0,18}) " + NAME);
    private static final Pattern RATE = Pattern.compile("rate (0|[1-9][0-9]{0,8}) (0|[1-9][0-9]{0,18}) " + NAME);

    /**
     * One adaptive run, as status shows it.
     *
     * @param epochSeconds  when it started (before its sample window)
     * @param windowSeconds the sample window, 0 for counts since boot
     * @param why           the planner's verdict
     * @param ratioBefore   busiest CPU / lower bound before its moves, NaN when quiet
     * @param ratioAfter    the same after them
     * @param moves         what it moved, from and to which CPU
     * @param rates         each event channel's estimated interrupts per window, by IRQ
     */
    public record Run(long epochSeconds, int windowSeconds, AdaptiveStep.Why why, double ratioBefore, double ratioAfter,
            List<AdaptiveMove> moves, Map<Integer, Rate> rates) {
        /** A run that recorded no rates. */
        public Run(long epochSeconds, int windowSeconds, AdaptiveStep.Why why, double ratioBefore, double ratioAfter,
                List<AdaptiveMove> moves) {
            this(epochSeconds, windowSeconds, why, ratioBefore, ratioAfter, moves, Map.of());
        }

        /**
         * The rates of the IRQs that still carry the name they had in this run (a stopped
         * guest's IRQ number reused by a new one is not the same channel).
         */
        public Map<Integer, Long> ratesOf(Map<Integer, String> namesNow) {
            Map<Integer, Long> out = new HashMap<>();
            rates.forEach((irq, r) -> {
                if (r.name().equals(namesNow.get(irq))) {
                    out.put(irq, r.interrupts());
                }
            });
            return out;
        }
    }

    /** One event channel's estimated interrupts per window in a run, with its name then. */
    public record Rate(String name, long interrupts) {
    }

    public static AdaptiveState empty() {
        return new AdaptiveState(AdaptiveMemory.empty(), Optional.empty());
    }

    /** The state in {@value #PATH}, or {@link #empty()} if there is none this process trusts. */
    public static AdaptiveState load(Host host) {
        if (!host.isTrustedFile(PATH)) {
            return empty();
        }
        try {
            return host.read(PATH).flatMap(AdaptiveState::parse).orElse(empty());
        } catch (RuntimeException e) {
            // Unreadable is as good as absent: the memory only holds moves back, never forces one.
            return empty();
        }
    }

    /**
     * Replaces {@value #PATH} atomically, mode 0644. Something else in its place (a link, which
     * {@link #load} never follows either) is removed first, not written through.
     */
    public void save(Host host) {
        if (host.exists(PATH) && host.regularFileOwner(PATH).isEmpty()) {
            host.delete(PATH);
        }
        host.writeAtomically(PATH, format().getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
    }

    public String format() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        out.append("samples-above ").append(memory.samplesAbove()).append('\n');
        for (Map.Entry<Integer, AdaptiveMemory.Moved> e : new TreeMap<>(memory.moved()).entrySet()) {
            out.append("cooling ").append(e.getKey()).append(' ').append(e.getValue().epochSeconds()).append(' ')
                    .append(e.getValue().name()).append('\n');
        }
        last.ifPresent(run -> {
            out.append("run ").append(run.epochSeconds()).append(' ').append(run.windowSeconds()).append(' ')
                    .append(run.why().name()).append(' ').append(ratio(run.ratioBefore())).append(' ')
                    .append(ratio(run.ratioAfter())).append('\n');
            for (AdaptiveMove m : run.moves()) {
                out.append("move ").append(m.irq()).append(' ').append(m.fromCpu()).append(' ').append(m.toCpu())
                        .append(' ').append(Math.max(0, m.rate())).append(' ').append(m.name()).append('\n');
            }
            for (Map.Entry<Integer, Rate> e : new TreeMap<>(run.rates()).entrySet()) {
                out.append("rate ").append(e.getKey()).append(' ').append(Math.max(0, e.getValue().interrupts())).append(' ')
                        .append(e.getValue().name()).append('\n');
            }
        });
        return out.toString();
    }

    /** The state in {@code text}, or empty if it is not one whole state of this version. */
    public static Optional<AdaptiveState> parse(String text) {
        if (!text.endsWith("\n")) {
            return Optional.empty();
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 2 || !lines[0].equals(HEADER)) {
            return Optional.empty();
        }
        Matcher samples = SAMPLES.matcher(lines[1]);
        if (!samples.matches()) {
            return Optional.empty();
        }
        Map<Integer, AdaptiveMemory.Moved> cooling = new HashMap<>();
        int i = 2;
        for (Matcher m; i < lines.length && (m = COOLING.matcher(lines[i])).matches(); i++) {
            if (cooling.put(Integer.parseInt(m.group(1)), new AdaptiveMemory.Moved(m.group(3), Long.parseLong(m.group(2)))) != null) {
                return Optional.empty();
            }
        }
        Optional<Run> run = Optional.empty();
        if (i < lines.length) {
            Matcher r = RUN.matcher(lines[i++]);
            if (!r.matches()) {
                return Optional.empty();
            }
            AdaptiveStep.Why why;
            try {
                why = AdaptiveStep.Why.valueOf(r.group(3));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            List<AdaptiveMove> moves = new ArrayList<>();
            for (Matcher m; i < lines.length && (m = MOVE.matcher(lines[i])).matches(); i++) {
                moves.add(new AdaptiveMove(Integer.parseInt(m.group(1)), m.group(5), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), Long.parseLong(m.group(4))));
            }
            Map<Integer, Rate> rates = new HashMap<>();
            for (; i < lines.length; i++) {
                Matcher m = RATE.matcher(lines[i]);
                if (!m.matches() || rates.put(Integer.parseInt(m.group(1)),
                        new Rate(m.group(3), Long.parseLong(m.group(2)))) != null) {
                    return Optional.empty();
                }
            }
            run = Optional.of(new Run(Long.parseLong(r.group(1)), Integer.parseInt(r.group(2)), why,
                    Double.parseDouble(r.group(4)), Double.parseDouble(r.group(5)), List.copyOf(moves),
                    Map.copyOf(rates)));
        }
        return Optional.of(new AdaptiveState(new AdaptiveMemory(Integer.parseInt(samples.group(1)), Map.copyOf(cooling)), run));
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "NaN" : String.format(Locale.ROOT, "%.4f", r);
    }
}
