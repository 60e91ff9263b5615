package org.xenirqpolicy.plan;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;

/**
 * Where each event-channel IRQ goes.
 *
 * @param strategy   the strategy that made it
 * @param usable     the CPUs it was allowed to use
 * @param placements one per IRQ, in IRQ order
 */
public record Plan(Strategy strategy, CpuSet usable, List<Placement> placements) {
    public Plan {
        placements = placements.stream().sorted(Comparator.comparingInt(Placement::irq)).toList();
    }

    public Map<Integer, Placement> byIrq() {
        Map<Integer, Placement> map = new LinkedHashMap<>();
        for (Placement p : placements) {
            map.put(p.irq(), p);
        }
        return map;
    }
}
