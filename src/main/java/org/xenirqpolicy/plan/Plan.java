package org.xenirqpolicy.plan;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Strategy;

/**
 * Where each event-channel IRQ goes.
 *
 * @param strategy   the strategy that made it
 * @param usable     the CPUs it was allowed to use
 * @param placements one per IRQ, in IRQ order
 * @param excluded   the event channels never placed, for the hook: EXCLUDE= and irqbalance's --banirq
 */
public record Plan(Strategy strategy, CpuSet usable, List<Placement> placements, Exclusions excluded) {
    public Plan {
        placements = placements.stream().sorted(Comparator.comparingInt(Placement::irq)).toList();
    }

    /** A plan that excludes nothing. */
    public Plan(Strategy strategy, CpuSet usable, List<Placement> placements) {
        this(strategy, usable, placements, Exclusions.NONE);
    }

    public Map<Integer, Placement> byIrq() {
        Map<Integer, Placement> map = new LinkedHashMap<>();
        for (Placement p : placements) {
            map.put(p.irq(), p);
        }
        return map;
    }
}
