package org.xenirqpolicy.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.xenirqpolicy.check.Check;
import org.xenirqpolicy.check.LastApply;
import org.xenirqpolicy.check.Metrics;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.engine.Status;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.plan.AdaptiveStep;
import org.xenirqpolicy.read.Settings;

/**
 * Renders {@link Metrics} in the Prometheus text exposition format, version 0.0.4: for each
 * metric a HELP and a TYPE line, then its samples, in a fixed order (metrics as listed here,
 * CPUs and IRQs by number, checks in check's order), each series once. A metric with nothing to
 * say (no applied plan, no record of an apply) is left out, HELP and TYPE included.
 */
final class MetricsReports {
    static final String PREFIX = "xen_irq_policy_";

    private MetricsReports() {
    }

    /**
     * @param version         this build's version, for the build_info series
     * @param irqSeriesMax    the per-IRQ series are written only for at most this many event channels
     */
    static String text(Metrics m, String version, int irqSeriesMax) {
        Status status = m.status();
        Engine.Planned planned = status.planned();
        Out out = new Out();
        out.family("build_info", "gauge", "The version of xen-irq-policy that wrote these metrics.");
        out.sample("build_info", labels("version", version), "1");
        out.family("event_channels", "gauge", "Xen event-channel IRQs in dom0.");
        out.sample("event_channels", "", planned.irqs().size());
        out.family("excluded_event_channels", "gauge",
                "Event-channel IRQs excluded by EXCLUDE= or irqbalance's --banirq, left where they are.");
        out.sample("excluded_event_channels", "", planned.excluded().size());
        if (status.againstAppliedPlan()) {
            out.family("misplaced_event_channels", "gauge",
                    "Event-channel IRQs whose affinity is not the CPU the applied plan puts them on.");
            out.sample("misplaced_event_channels", "", status.misplaced().size());
        }
        out.family("cpu_usable", "gauge", "1 if event channels may use this online CPU, else 0.");
        for (Status.CpuLoad cpu : status.cpus()) {
            out.sample("cpu_usable", labels("cpu", String.valueOf(cpu.cpu())), cpu.usable() ? 1 : 0);
        }
        out.family("cpu_event_channels", "gauge", "Event-channel IRQs bound to this CPU alone.");
        for (Status.CpuLoad cpu : status.cpus()) {
            out.sample("cpu_event_channels", labels("cpu", String.valueOf(cpu.cpu())), cpu.irqs().size());
        }
        out.family("cpu_interrupts_total", "counter", "Interrupts of all event-channel IRQs on this CPU since boot;"
                + " it falls when an event channel goes away (a guest stops), which rate() takes for a reset.");
        for (Status.CpuLoad cpu : status.cpus()) {
            out.sample("cpu_interrupts_total", labels("cpu", String.valueOf(cpu.cpu())), cpu.interrupts());
        }
        out.family("imbalance_ratio", "gauge",
                "Interrupts since boot of the busiest usable CPU over the mean of the usable CPUs; NaN when none were counted.");
        out.sample("imbalance_ratio", "", number(status.imbalance()));
        if (planned.irqs().size() <= irqSeriesMax) {
            // The CPU is a value of its own, not a label of the counter: a label would start a new
            // series at every move, and Prometheus would keep both (churn, and rate() over a move
            // would see neither whole).
            List<EventChannel> irqs = planned.irqs().stream().sorted((a, b) -> Integer.compare(a.irq(), b.irq())).toList();
            out.family("irq_interrupts_total", "counter", "Interrupts of this event-channel IRQ since boot, all CPUs."
                    + " Written for at most METRICS_IRQ_SERIES_MAX event channels.");
            for (EventChannel irq : irqs) {
                out.sample("irq_interrupts_total", irqLabels(irq), irq.total());
            }
            out.family("irq_cpu", "gauge", "The one CPU this event-channel IRQ runs on (its effective affinity, else its affinity); -1 when that is not one CPU."
                    + " Written for at most METRICS_IRQ_SERIES_MAX event channels.");
            for (EventChannel irq : irqs) {
                out.sample("irq_cpu", irqLabels(irq), irq.currentCpu());
            }
        }
        if (m.planWritten().isPresent()) {
            out.family("plan_age_seconds", "gauge", "Seconds since the applied plan was last written (apply rewrites it only when it changes).");
            out.sample("plan_age_seconds", "", seconds(Duration.between(m.planWritten().get(), m.now())));
        }
        out.family("check_ok", "gauge", "1 if this check of 'xen-irq-policy check' passes, else 0.");
        for (Check c : m.checks()) {
            out.sample("check_ok", labels("check", c.name()), c.ok() ? 1 : 0);
        }
        if (m.lastApply().isPresent()) {
            LastApply last = m.lastApply().get();
            out.family("last_apply_exit_status", "gauge", "Exit status of the last recorded apply: 0 done, 1 partly done.");
            out.sample("last_apply_exit_status", "", last.exitStatus());
            out.family("last_apply_timestamp_seconds", "gauge", "When the last recorded apply ended, in seconds since the epoch.");
            out.sample("last_apply_timestamp_seconds", "", last.time().getEpochSecond());
            if (last.duration().isPresent()) {
                out.family("last_apply_duration_seconds", "gauge", "How long the last recorded apply ran.");
                out.sample("last_apply_duration_seconds", "", seconds(last.duration().get()));
            }
        }
        // Whether runs are expected, and how often: with the last run's time, an alert tells a mode
        // switched on whose runs stopped (the timer not enabled, runs failing before they record).
        Settings.Adaptive adaptive = planned.snapshot().settings().adaptive();
        out.family("adaptive_enabled", "gauge", "1 if ADAPTIVE=yes (the adaptive mode may move event channels), else 0.");
        out.sample("adaptive_enabled", "", adaptive.enabled() ? 1 : 0);
        out.family("adaptive_interval_seconds", "gauge", "ADAPTIVE_INTERVAL_MINUTES in seconds: how often an adaptive run is due.");
        out.sample("adaptive_interval_seconds", "", adaptive.intervalMinutes() * 60L);
        if (m.lastAdaptive().isPresent()) {
            AdaptiveState.Run run = m.lastAdaptive().get();
            out.family("adaptive_last_run_timestamp_seconds", "gauge",
                    "When the last adaptive run started, in seconds since the epoch.");
            out.sample("adaptive_last_run_timestamp_seconds", "", run.epochSeconds());
            // Every verdict as a series of its own, 1 for the last run's and 0 for the others: the
            // set of series stays the same from run to run, where a label on the timestamp would
            // start a new series each time the verdict changed.
            out.family("adaptive_last_run_verdict", "gauge", "The last adaptive run's verdict: 1 for it, 0 for the others.");
            for (AdaptiveStep.Why why : AdaptiveStep.Why.values()) {
                out.sample("adaptive_last_run_verdict", labels("why", why.name().toLowerCase(Locale.ROOT)),
                        why == run.why() ? 1 : 0);
            }
            out.family("adaptive_last_run_moves", "gauge", "Event channels the last adaptive run moved.");
            out.sample("adaptive_last_run_moves", "", run.moves().size());
            out.family("adaptive_last_run_ratio", "gauge",
                    "Busiest usable CPU / lower bound in the last adaptive run, before and after its moves; NaN when it counted nothing.");
            out.sample("adaptive_last_run_ratio", labels("when", "before"), number(run.ratioBefore()));
            out.sample("adaptive_last_run_ratio", labels("when", "after"), number(run.ratioAfter()));
        }
        return out.text.toString();
    }

    /** The identity of a per-IRQ series: what stays while the IRQ lives, whatever CPU it is on. */
    private static String irqLabels(EventChannel irq) {
        return labels("irq", String.valueOf(irq.irq()), "name", irq.name(), "kind", irq.device().kind());
    }

    /** Labels as the format writes them: {@code {a="1",b="x"}}, values escaped. */
    static String labels(String... namesAndValues) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(namesAndValues[i]).append("=\"").append(escape(namesAndValues[i + 1])).append('"');
        }
        return out.append('}').toString();
    }

    /**
     * A label value as the format wants it: UTF-8, with backslash, double quote and newline
     * escaped. Names are the kernel's bytes (read one char per byte): bytes that are UTF-8 are
     * written as that text; a byte that is not (the format has no escape for bytes) becomes
     * U+FFFD, and the irq label still tells the IRQ.
     */
    static String escape(String bytes) {
        String text = Quote.text(bytes);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A ratio: NaN as the format spells it, else to four places, as the JSON reports give it. */
    private static String number(double value) {
        return Double.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** Seconds to the millisecond. */
    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    private static final class Out {
        final StringBuilder text = new StringBuilder();

        void family(String name, String type, String help) {
            text.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
            text.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
        }

        void sample(String name, String labels, Object value) {
            text.append(PREFIX).append(name).append(labels).append(' ').append(value).append('\n');
        }
    }
}
