package org.xenirqpolicy.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.EventChannel;

/**
 * PLACEHOLDER written by the plumbing branch (adaptive-plumbing) so that it compiles and its
 * tests run; the planner of branch adaptive-core replaces this file at merge. Hysteresis by
 * samplesAbove, then the busiest CPU's hottest movable channel to the least loaded CPU while
 * that strictly lowers the busiest load, up to maxMoves. No queue rule.
 */
public final class Adaptive {
    private Adaptive() {
    }

    public static AdaptiveStep step(Plan current, List<EventChannel> irqs, List<EventChannel> left,
            Map<Integer, Long> rates, AdaptiveLimits limits, AdaptiveMemory memory, long now) {
        var usable = current.usable();
        int n = usable.size();
        long[] load = new long[n];
        long total = 0;
        long largest = 0;
        for (EventChannel irq : left) {
            int i = irq.currentCpu() < 0 ? -1 : usable.indexOf(irq.currentCpu());
            long r = rate(rates, irq.irq());
            if (i >= 0) {
                load[i] += r;
            }
            total += r;
            largest = Math.max(largest, r);
        }
        Map<Integer, Integer> cpuOf = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (Placement p : current.placements()) {
            long r = rate(rates, p.irq());
            load[usable.indexOf(p.cpu())] += r;
            total += r;
            largest = Math.max(largest, r);
            cpuOf.put(p.irq(), p.cpu());
            names.put(p.irq(), p.name());
        }
        if (total == 0) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.QUIET, Double.NaN, Double.NaN,
                    new AdaptiveMemory(0, memory.moved()));
        }
        double bound = Math.max(total / (double) n, largest);
        double before = max(load) / bound;
        if (before <= limits.threshold()) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.BALANCED, before, before,
                    new AdaptiveMemory(0, memory.moved()));
        }
        if (memory.samplesAbove() + 1 < limits.samplesAbove()) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.WAITING, before, before,
                    new AdaptiveMemory(memory.samplesAbove() + 1, memory.moved()));
        }
        List<AdaptiveMove> moves = new ArrayList<>();
        Map<Integer, AdaptiveMemory.Moved> moved = new HashMap<>(memory.moved());
        while (moves.size() < limits.maxMoves()) {
            int busiest = 0;
            int idlest = 0;
            for (int i = 1; i < n; i++) {
                busiest = load[i] > load[busiest] ? i : busiest;
                idlest = load[i] < load[idlest] ? i : idlest;
            }
            int pick = -1;
            long pickRate = 0;
            for (Placement p : current.placements()) {
                int irq = p.irq();
                long r = rate(rates, irq);
                AdaptiveMemory.Moved last = memory.moved().get(irq);
                boolean cooling = last != null && last.name().equals(p.name())
                        && now - last.epochSeconds() < limits.coolDownSeconds();
                boolean here = usable.indexOf(cpuOf.get(irq)) == busiest;
                boolean improves = load[idlest] + r < load[busiest];
                if (here && !cooling && r > 0 && improves && (r > pickRate || r == pickRate && irq < pick)) {
                    pick = irq;
                    pickRate = r;
                }
            }
            if (pick < 0) {
                break;
            }
            load[busiest] -= pickRate;
            load[idlest] += pickRate;
            cpuOf.put(pick, usable.get(idlest));
            moves.add(new AdaptiveMove(pick, names.get(pick), usable.get(busiest), usable.get(idlest), pickRate));
            moved.put(pick, new AdaptiveMemory.Moved(names.get(pick), now));
        }
        if (moves.isEmpty()) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.STUCK, before, before,
                    new AdaptiveMemory(memory.samplesAbove() + 1, memory.moved()));
        }
        List<Placement> placements = new ArrayList<>();
        for (Placement p : current.placements()) {
            placements.add(new Placement(p.irq(), cpuOf.get(p.irq()), p.name()));
        }
        Plan plan = new Plan(current.strategy(), usable, placements, current.excluded());
        return new AdaptiveStep(plan, List.copyOf(moves), AdaptiveStep.Why.MOVED, before, max(load) / bound,
                new AdaptiveMemory(0, Map.copyOf(moved)));
    }

    private static long rate(Map<Integer, Long> rates, int irq) {
        return Math.max(0, rates.getOrDefault(irq, 0L));
    }

    private static long max(long[] load) {
        long m = 0;
        for (long l : load) {
            m = Math.max(m, l);
        }
        return m;
    }
}
