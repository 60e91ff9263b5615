package org.xenirqpolicy.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.engine.Status;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.plan.CpuShare;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.read.HostSnapshot;
import org.xenirqpolicy.read.InterruptsTable;

/** Renders engine results as text tables or as JSON values. */
final class Reports {
    private Reports() {
    }

    static void warnSkipped(Engine.Planned planned, Log log) {
        InterruptsTable t = planned.snapshot().interrupts();
        if (t.skippedLines() > 0) {
            log.warning("warning: skipped " + t.skippedLines()
                    + " unparseable line(s) of /proc/interrupts, the first at line " + t.firstSkippedLine());
        }
    }

    /**
     * A note on stderr when the host has no Xen event channel at all: not one xen-dyn IRQ, where a
     * dom0 has some even before any guest starts (its console's, xenstored's). The text reports
     * then print no empty tables; JSON stays whole for scripts.
     */
    static void noteNoEventChannels(Engine.Planned planned, Log log) {
        if (planned.irqs().isEmpty()) {
            log.warning("no Xen event channels found: is this a Xen dom0?");
        }
    }

    /**
     * Which IRQs the IRQ arguments select (all without arguments), with a warning on stderr for
     * each argument that matches no event channel: a typo shows, the exit status stays.
     */
    static IntPredicate shown(List<Selector> selectors, Engine.Planned planned, Log log) {
        if (selectors.isEmpty()) {
            return irq -> true;
        }
        // Without any event channel noteNoEventChannels has said why: no warning per argument.
        boolean warn = !planned.irqs().isEmpty();
        Set<Integer> matched = new HashSet<>();
        for (Selector s : selectors) {
            boolean any = false;
            for (EventChannel irq : planned.irqs()) {
                if (s.matches(irq.irq(), irq.name())) {
                    matched.add(irq.irq());
                    any = true;
                }
            }
            if (!any && warn) {
                log.warning("warning: " + Quote.of(s.text()) + " matches no event channel");
            }
        }
        return matched::contains;
    }

    // ---- plan

    static String planText(Engine.Planned planned, IntPredicate only) {
        if (planned.irqs().isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append(header(planned)).append('\n');
        staleLine(planned, out);
        Map<Integer, Placement> plan = planned.plan().byIrq();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"IRQ", "NAME", "KIND", "CHIP", "CURRENT", "PLANNED"});
        for (EventChannel irq : selected(planned.irqs(), only)) {
            rows.add(new String[] {String.valueOf(irq.irq()), Quote.name(irq.name()), irq.device().kind(), irq.chip(),
                current(irq), planned(irq, planned, plan)});
        }
        table(rows, out, 0);
        out.append('\n');
        List<String[]> cpus = new ArrayList<>();
        cpus.add(new String[] {"CPU", "IRQS", planned.sampledSeconds() > 0 ? "SHARE(" + planned.sampledSeconds() + "s)" : "SHARE"});
        for (CpuShare cpu : planned.cpuShares()) {
            cpus.add(new String[] {String.valueOf(cpu.cpu()), String.valueOf(cpu.irqs()), percent(cpu.share())});
        }
        table(cpus, out, 0, 1, 2);
        return out.toString();
    }

    static Map<String, Object> planJson(Engine.Planned planned, IntPredicate only) {
        Map<String, Object> json = cpuChoice(planned);
        Map<Integer, Placement> plan = planned.plan().byIrq();
        List<Object> irqs = new ArrayList<>();
        for (EventChannel irq : selected(planned.irqs(), only)) {
            Map<String, Object> row = irqJson(irq);
            Placement p = plan.get(irq.irq());
            row.put("planned", p == null ? null : p.cpu());
            row.put("excludedBy", textOrNull(planned.excluded().get(irq.irq())));
            irqs.add(row);
        }
        json.put("irqs", irqs);
        List<Object> cpus = new ArrayList<>();
        for (CpuShare cpu : planned.cpuShares()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cpu", cpu.cpu());
            row.put("irqs", cpu.irqs());
            row.put("interrupts", cpu.interrupts());
            row.put("share", cpu.share());
            cpus.add(row);
        }
        json.put("cpus", cpus);
        return json;
    }

    /** The planned CPU, or why there is none: {@code excluded (vif12.*)}, left where it is. */
    private static String planned(EventChannel irq, Engine.Planned planned, Map<Integer, Placement> plan) {
        String why = planned.excluded().get(irq.irq());
        return why != null ? "excluded (" + Quote.name(why) + ")" : String.valueOf(plan.get(irq.irq()).cpu());
    }

    private static String header(Engine.Planned planned) {
        HostSnapshot h = planned.snapshot();
        return "strategy " + planned.plan().strategy().id() + " on CPUs " + planned.plan().usable().toList()
                + " (online " + h.online().toListOr("none") + ", banned for irqbalance " + h.irqbalanceBanned().toListOr("none")
                + ", isolated " + h.isolated().toListOr("none") + (h.nohzFull().isEmpty() ? "" : ", nohz_full " + h.nohzFull().toListOr("none"))
                + (h.settings().cpus().isEmpty() ? "" : ", CPUS= " + h.settings().cpus().toListOr("none"))
                + "); " + planned.irqs().size() + " event-channel IRQs"
                + (planned.excluded().isEmpty() ? "" : ", " + planned.excluded().size() + " excluded");
    }

    private static Map<String, Object> cpuChoice(Engine.Planned planned) {
        HostSnapshot h = planned.snapshot();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", Json.VERSION);
        json.put("strategy", planned.plan().strategy().id());
        json.put("usable", planned.plan().usable().toList());
        json.put("online", h.online().toList());
        json.put("bannedForIrqbalance", h.irqbalanceBanned().toList());
        json.put("isolated", h.isolated().toList());
        json.put("nohzFull", h.nohzFull().toList());
        json.put("sampleSeconds", planned.sampledSeconds());
        json.put("skippedLines", h.interrupts().skippedLines());
        json.put("appliedPlanUsable", planned.previous().map(p -> (Object) p.usable().toList()).orElse(null));
        json.put("appliedPlanStale", planned.appliedPlanStale());
        return json;
    }

    // ---- status

    /** The status tables, then the last adaptive run if one was recorded. */
    static String statusText(Status status, IntPredicate only, Optional<AdaptiveState.Run> lastAdaptive, boolean phaseOpen) {
        if (status.planned().irqs().isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        int seconds = status.planned().sampledSeconds();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CPU", "IRQS", seconds > 0 ? "INTERRUPTS(" + seconds + "s)" : "INTERRUPTS", "EVENT CHANNELS"});
        for (Status.CpuLoad cpu : status.cpus()) {
            List<String> names = new ArrayList<>();
            for (EventChannel irq : selected(cpu.irqs(), only)) {
                names.add(irq.irq() + " " + Quote.name(irq.name()));
            }
            rows.add(new String[] {cpu.cpu() + (cpu.usable() ? "" : " (not usable)"), String.valueOf(cpu.irqs().size()),
                String.valueOf(cpu.interrupts()), String.join(", ", names)});
        }
        table(rows, out, 1, 2);
        long unpinned = status.planned().irqs().stream().filter(irq -> irq.currentCpu() < 0).count();
        if (unpinned > 0) {
            out.append(unpinned).append(" event-channel IRQs are not bound to one CPU\n");
        }
        out.append("imbalance ").append(Double.isNaN(status.imbalance()) ? "n/a" : String.format(Locale.ROOT, "%.2f", status.imbalance()))
                .append(" (busiest usable CPU / mean, interrupts ").append(seconds > 0 ? "in " + seconds + "s" : "since boot")
                .append(")\n");
        staleLine(status.planned(), out);
        List<EventChannel> excluded = selected(status.planned().irqs(), only).stream()
                .filter(irq -> status.planned().excluded().containsKey(irq.irq())).toList();
        if (!excluded.isEmpty()) {
            out.append(excluded.size()).append(" excluded, left where they are:\n");
            for (EventChannel irq : excluded) {
                out.append("  ").append(irq.irq()).append(' ').append(Quote.name(irq.name())).append(" on ").append(irq.affinity().toListOr("none"))
                        .append(", excluded (").append(Quote.name(status.planned().excluded().get(irq.irq()))).append(")\n");
            }
        }
        String against = status.againstAppliedPlan() ? "the applied plan (" + Locations.PLAN + ")"
                : "a fresh " + status.planned().plan().strategy().id() + " plan (none applied yet)";
        List<Status.Misplaced> misplaced = status.misplaced().stream()
                .filter(m -> only.test(m.irq().irq())).toList();
        if (misplaced.isEmpty()) {
            out.append("all event-channel IRQs are where ").append(against).append(" puts them\n");
        } else {
            out.append(misplaced.size()).append(" not where ").append(against).append(" puts them:\n");
            for (Status.Misplaced m : misplaced) {
                out.append("  ").append(m.irq().irq()).append(' ').append(Quote.name(m.irq().name())).append(" on ")
                        .append(m.irq().affinity().toListOr("none")).append(", planned ").append(m.plannedCpu()).append('\n');
            }
        }
        lastAdaptive.ifPresent(run -> out.append(AdaptReports.statusText(run, phaseOpen)));
        return out.toString();
    }

    /** lastAdaptiveRun: the last adaptive run's record, null if none (adaptive mode off, or not run since boot). */
    static Map<String, Object> statusJson(Status status, IntPredicate only, Optional<AdaptiveState.Run> lastAdaptive,
            boolean phaseOpen) {
        Map<String, Object> json = cpuChoice(status.planned());
        List<Object> cpus = new ArrayList<>();
        for (Status.CpuLoad cpu : status.cpus()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cpu", cpu.cpu());
            row.put("usable", cpu.usable());
            row.put("interrupts", cpu.interrupts());
            List<Object> irqs = new ArrayList<>();
            for (EventChannel irq : selected(cpu.irqs(), only)) {
                irqs.add(irqJson(irq));
            }
            row.put("irqs", irqs);
            cpus.add(row);
        }
        json.put("cpus", cpus);
        json.put("imbalance", status.imbalance());
        json.put("againstAppliedPlan", status.againstAppliedPlan());
        List<Object> misplaced = new ArrayList<>();
        for (Status.Misplaced m : status.misplaced()) {
            if (only.test(m.irq().irq())) {
                Map<String, Object> row = irqJson(m.irq());
                row.put("planned", m.plannedCpu());
                misplaced.add(row);
            }
        }
        json.put("misplaced", misplaced);
        List<Object> excluded = new ArrayList<>();
        for (EventChannel irq : selected(status.planned().irqs(), only)) {
            String why = status.planned().excluded().get(irq.irq());
            if (why != null) {
                Map<String, Object> row = irqJson(irq);
                row.put("excludedBy", Quote.text(why));
                excluded.add(row);
            }
        }
        json.put("excluded", excluded);
        json.put("lastAdaptiveRun", lastAdaptive.map(run -> AdaptReports.runJson(run, phaseOpen)).orElse(null));
        return json;
    }

    // ---- shared

    /** An EXCLUDE= word (read one char per byte, as a name is) as the text it encodes, for JSON. */
    private static String textOrNull(String selector) {
        return selector == null ? null : Quote.text(selector);
    }

    private static void staleLine(Engine.Planned planned, StringBuilder out) {
        if (planned.appliedPlanStale()) {
            out.append("the applied plan is stale: it was made for CPUs ").append(planned.previous().get().usable().toList())
                    .append(", usable now ").append(planned.plan().usable().toList())
                    .append("; 'xen-irq-policy apply' places the event channels anew\n");
        }
    }

    private static Map<String, Object> irqJson(EventChannel irq) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("irq", irq.irq());
        row.put("name", Quote.text(irq.name()));
        row.put("kind", irq.device().kind());
        row.put("chip", irq.chip());
        row.put("affinity", irq.affinity().toList());
        row.put("effective", irq.effective().toList());
        row.put("interrupts", irq.total());
        return row;
    }

    private static List<EventChannel> selected(List<EventChannel> irqs, IntPredicate only) {
        return irqs.stream().filter(irq -> only.test(irq.irq())).toList();
    }

    /** The affinity as set, and where the kernel says it really runs when that differs. */
    private static String current(EventChannel irq) {
        String set = irq.affinity().toListOr("none");
        return irq.effective().isEmpty() || irq.effective().equals(irq.affinity()) ? set
                : set + " (on " + irq.effective().toList() + ")";
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** Left-aligned columns two spaces apart; the listed columns are right-aligned. */
    static void table(List<String[]> rows, StringBuilder out, int... rightAligned) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                boolean right = false;
                for (int r : rightAligned) {
                    right |= r == c;
                }
                String cell = row[c];
                String pad = " ".repeat(width[c] - cell.length());
                line.append(right ? pad + cell : cell + (c == columns - 1 ? "" : pad));
                if (c < columns - 1) {
                    line.append("  ");
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
