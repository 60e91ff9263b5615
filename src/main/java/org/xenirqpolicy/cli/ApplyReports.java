package org.xenirqpolicy.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.apply.Outcome;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.plan.Placement;

/**
 * Renders what apply did. As the service runs it, the journal gets one summary line (info) and
 * one line per failure (error); the moves are details (debug), printed with --verbose. A dry run
 * lists what would move as information, since that list is what it is asked for. The exit
 * status is the engine's verdict, {@code Engine.Applied.failed}, not this rendering's.
 */
final class ApplyReports {
    private ApplyReports() {
    }

    /** The errors, on standard error whatever the format. */
    static void errors(Engine.Applied applied, Log log) {
        for (Outcome o : applied.outcomes()) {
            if (o.change() == Outcome.Change.FAILED) {
                log.error("IRQ " + o.placement().irq() + " " + Quote.name(o.placement().name()) + ": " + o.detail());
            }
        }
        if (applied.saveError() != null) {
            log.error(saveErrorText(applied.saveError()));
        }
        if (applied.requestsError() != null) {
            log.error("the IRQs are placed but the hook's requests could not be removed, so the path unit starts apply again: "
                    + applied.requestsError());
        }
    }

    static void text(Engine.Applied applied, Log log) {
        for (Outcome o : applied.outcomes()) {
            Placement p = o.placement();
            String what = p.irq() + " " + Quote.name(p.name()) + ": " + o.before().toListOr("none") + " -> " + p.cpu();
            switch (o.change()) {
                case CHANGED -> log.debug("moved " + what);
                case WOULD_CHANGE -> log.info("would move " + what);
                case VANISHED -> log.debug("gone " + p.irq() + " " + Quote.name(p.name()) + ": the IRQ no longer exists");
                case UNCHANGED, FAILED -> {
                    // In place: nothing to say; failed: errors() says it.
                }
            }
        }
        errors(applied, log);
        String summary = summary(applied);
        if (!summary.isEmpty()) {
            log.info(summary);
        }
    }

    /**
     * One line: what was done, and where the plan was saved. Empty for a dry run on a host
     * without event channels, where noteNoEventChannels said all there is.
     */
    static String summary(Engine.Applied applied) {
        Outcome.Tally t = applied.tally();
        String strategy = applied.planned().plan().strategy().id();
        boolean dryRun = applied.dryRun();
        List<String> parts = new ArrayList<>();
        if (applied.planned().irqs().isEmpty()) {
            // Nothing to count.
        } else if (t.changed() == 0 && t.failed() == 0) {
            parts.add((dryRun ? "dry run: " : "") + "nothing to change: " + t.unchanged() + " event-channel IRQs already on their "
                    + strategy + " CPUs" + (t.vanished() > 0 ? ", " + t.vanished() + " gone" : ""));
        } else {
            parts.add((dryRun ? "dry run, " : "") + strategy + ": " + t.changed() + (dryRun ? " to move, " : " moved, ")
                    + t.unchanged() + " in place, " + t.vanished() + " gone, " + t.failed() + " failed");
        }
        if (applied.planWritten()) {
            parts.add("plan saved in " + Locations.PLAN);
        }
        return String.join("; ", parts);
    }

    static Map<String, Object> json(Engine.Applied applied) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", Json.VERSION);
        json.put("dryRun", applied.dryRun());
        json.put("strategy", applied.planned().plan().strategy().id());
        json.put("usable", applied.planned().plan().usable().toList());
        List<Object> moves = new ArrayList<>();
        List<Object> gone = new ArrayList<>();
        List<Object> failures = new ArrayList<>();
        for (Outcome o : applied.outcomes()) {
            Placement p = o.placement();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("irq", p.irq());
            row.put("name", Quote.text(p.name()));
            switch (o.change()) {
                case CHANGED, WOULD_CHANGE -> {
                    row.put("from", o.before().toList());
                    row.put("to", p.cpu());
                    moves.add(row);
                }
                case VANISHED -> gone.add(row);
                case FAILED -> {
                    row.put("from", o.before().toList());
                    row.put("to", p.cpu());
                    row.put("error", o.detail());
                    failures.add(row);
                }
                case UNCHANGED -> {
                    // Counted in the summary only: at 5,000 IRQs the list would be the whole plan.
                }
            }
        }
        json.put("moves", moves);
        json.put("gone", gone);
        json.put("failures", failures);
        Outcome.Tally t = applied.tally();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("eventChannels", applied.planned().irqs().size());
        summary.put("moved", t.changed());
        summary.put("inPlace", t.unchanged());
        summary.put("gone", t.vanished());
        summary.put("failed", t.failed());
        summary.put("planSaved", applied.planWritten());
        summary.put("planFile", Locations.PLAN);
        summary.put("saveError", applied.saveError());
        summary.put("requestsError", applied.requestsError());
        json.put("summary", summary);
        return json;
    }

    private static String saveErrorText(String saveError) {
        return "the IRQs are placed but the plan was not saved, so the irqbalance hook falls back to its own rule: " + saveError;
    }
}
