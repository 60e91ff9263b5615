package org.xenirqpolicy.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.IrqLine;

/**
 * Where our IRQs are now, per CPU, against the plan: the figures of {@code status} and
 * {@code check}.
 *
 * @param againstAppliedPlan whether the targets are the applied plan's (else a fresh plan's)
 * @param imbalance          busiest usable CPU over the mean of the usable CPUs; NaN when
 *                           nothing was counted
 */
public record Status(Engine.Planned planned, boolean againstAppliedPlan, List<CpuLoad> cpus, double imbalance,
        List<Misplaced> misplaced) {
    /** @param interrupts interrupts our IRQs took on this CPU (sample window or since boot) */
    public record CpuLoad(int cpu, boolean usable, List<EventChannel> irqs, long interrupts) {
    }

    public record Misplaced(EventChannel irq, int plannedCpu) {
    }

    /** Reads the host, counting interrupts over {@code sampleSeconds} (0: since boot). */
    public static Status read(Host host, int sampleSeconds) {
        return of(Engine.plan(host, new Engine.Options(null, false, sampleSeconds)));
    }

    /** The figures of a plan and what it was made from: no host access. */
    public static Status of(Engine.Planned planned) {
        Optional<Plan> applied = planned.previous();
        Map<Integer, Placement> target = applied.orElse(planned.plan()).byIrq();
        Map<Integer, IrqLine> lines = byIrq(planned.snapshot().interrupts());
        Map<Integer, IrqLine> baseline = planned.sampledSeconds() > 0 ? byIrq(planned.baseline()) : Map.of();
        List<CpuLoad> cpus = new ArrayList<>();
        for (int c : planned.snapshot().online().stream().toArray()) {
            List<EventChannel> here = new ArrayList<>();
            long interrupts = 0;
            for (EventChannel irq : planned.irqs()) {
                if (irq.currentCpu() == c) {
                    here.add(irq);
                }
                interrupts += countOn(planned, lines.get(irq.irq()), baseline.get(irq.irq()), c);
            }
            cpus.add(new CpuLoad(c, planned.plan().usable().contains(c), here, interrupts));
        }
        List<Misplaced> misplaced = new ArrayList<>();
        for (EventChannel irq : planned.irqs()) {
            Placement p = target.get(irq.irq());
            if (p == null) {
                continue;
            }
            boolean elsewhere = !irq.affinity().equals(CpuSet.of(p.cpu()));
            // An IRQ excluded since the plan was applied is left where it is: not misplaced.
            boolean excluded = planned.excluded().containsKey(irq.irq());
            if (elsewhere && !excluded) {
                misplaced.add(new Misplaced(irq, p.cpu()));
            }
        }
        return new Status(planned, applied.isPresent(), cpus, imbalance(cpus), misplaced);
    }

    private static double imbalance(List<CpuLoad> cpus) {
        long max = 0;
        long sum = 0;
        int n = 0;
        for (CpuLoad c : cpus) {
            if (c.usable()) {
                max = Math.max(max, c.interrupts());
                sum += c.interrupts();
                n++;
            }
        }
        return sum == 0 ? Double.NaN : max / (sum / (double) n);
    }

    /** Interrupts one IRQ took on one CPU: since boot, or since the baseline when sampled. */
    private static long countOn(Engine.Planned planned, IrqLine line, IrqLine before, int cpu) {
        if (line == null) {
            return 0;
        }
        long now = planned.snapshot().interrupts().countOn(line, cpu);
        long then = before == null ? 0 : planned.baseline().countOn(before, cpu);
        return InterruptsTable.growth(now, then);
    }

    private static Map<Integer, IrqLine> byIrq(InterruptsTable table) {
        Map<Integer, IrqLine> lines = new HashMap<>();
        for (IrqLine line : table.irqs()) {
            lines.put(line.irq(), line);
        }
        return lines;
    }
}
