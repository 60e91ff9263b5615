package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.plan.AdaptiveMove;

/**
 * Renders an adaptive run: what {@code adapt} prints (one summary line, and a line per move, as
 * information: a timer run that moves something is worth a journal line per IRQ), and the last
 * run as {@code status} shows it.
 */
final class AdaptReports {
    private AdaptReports() {
    }

    /** The run's report; {@code phaseOpen}: whether it leaves a moving phase open. */
    static void text(Engine.Adapted adapted, boolean phaseOpen, Log log) {
        AdaptiveState.Run run = adapted.state().last().orElseThrow();
        boolean dryRun = adapted.applied().dryRun();
        log.info((dryRun ? "adaptive run (dry run, nothing written): " : "adaptive run: ") + verdict(run, dryRun, phaseOpen));
        for (AdaptiveMove m : run.moves()) {
            log.info("  " + move(m, run));
        }
    }

    static Map<String, Object> json(Engine.Adapted adapted, boolean phaseOpen) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", Json.VERSION);
        json.put("dryRun", adapted.applied().dryRun());
        json.put("run", runJson(adapted.state().last().orElseThrow(), phaseOpen));
        json.put("samplesAbove", adapted.state().memory().samplesAbove());
        json.put("apply", ApplyReports.json(adapted.applied()));
        json.put("stateError", adapted.stateError());
        return json;
    }

    /** The last run for status: a line, and a line per move; {@code phaseOpen}: whether the next run finds a moving phase open. */
    static String statusText(AdaptiveState.Run run, boolean phaseOpen) {
        StringBuilder out = new StringBuilder("last adaptive run ").append(Instant.ofEpochSecond(run.epochSeconds()))
                .append(": ").append(verdict(run, false, phaseOpen)).append('\n');
        for (AdaptiveMove m : run.moves()) {
            out.append("  ").append(move(m, run)).append('\n');
        }
        return out.toString();
    }

    static Map<String, Object> runJson(AdaptiveState.Run run, boolean phaseOpen) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("time", Instant.ofEpochSecond(run.epochSeconds()).toString());
        json.put("sampleSeconds", run.windowSeconds());
        json.put("why", run.why().name().toLowerCase(Locale.ROOT));
        json.put("movingPhaseOpen", phaseOpen);
        json.put("ratioBefore", run.ratioBefore());
        json.put("ratioAfter", run.ratioAfter());
        List<Object> moves = new ArrayList<>();
        for (AdaptiveMove m : run.moves()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("irq", m.irq());
            row.put("name", Quote.text(m.name()));
            row.put("from", m.fromCpu());
            row.put("to", m.toCpu());
            row.put("interrupts", m.rate());
            moves.add(row);
        }
        json.put("moves", moves);
        return json;
    }

    /**
     * Why the run did what it did (would do, in a dry run), with busiest CPU / lower bound. A
     * balanced run that leaves a moving phase open says so: the next run above the aim moves
     * without waiting for ADAPTIVE_SAMPLES runs above the threshold, which a reader of a balanced
     * verdict would not expect.
     */
    static String verdict(AdaptiveState.Run run, boolean dryRun, boolean phaseOpen) {
        String ratio = "busiest CPU / lower bound " + ratio(run.ratioBefore());
        return switch (run.why()) {
            case QUIET -> "quiet: no event-channel interrupts counted" + window(run) + ", nothing moved";
            case BALANCED -> "balanced: " + ratio + ", at most ADAPTIVE_THRESHOLD; nothing moved"
                    + (phaseOpen ? "; the moving phase stays open: a run above the aim moves without waiting" : "");
            case WAITING -> "waiting: " + ratio + ", above ADAPTIVE_THRESHOLD for fewer than ADAPTIVE_SAMPLES runs; nothing moved";
            case STUCK -> "stuck: " + ratio + ", and no allowed move lowers it (cool-downs, exclusions, one hot IRQ, or no gain by"
                    + " the estimate); nothing moved";
            case MOVED -> (dryRun ? "would move " : "moved ") + run.moves().size() + " event channel" + (run.moves().size() == 1 ? "" : "s") + ": " + ratio
                    + " -> " + ratio(run.ratioAfter());
        };
    }

    private static String move(AdaptiveMove m, AdaptiveState.Run run) {
        return m.irq() + " " + Quote.name(m.name()) + ": CPU " + m.fromCpu() + " -> " + m.toCpu() + " (" + m.rate() + " interrupts"
                + window(run) + ")";
    }

    private static String window(AdaptiveState.Run run) {
        return run.windowSeconds() > 0 ? " in " + run.windowSeconds() + "s" : " since boot";
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }
}
