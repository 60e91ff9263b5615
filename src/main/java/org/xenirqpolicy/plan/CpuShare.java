package org.xenirqpolicy.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.model.CpuSet;

/**
 * What a plan puts on one usable CPU.
 *
 * @param cpu        the CPU
 * @param irqs       how many IRQs the plan puts there
 * @param interrupts the interrupts those IRQs took (sample window or since boot)
 * @param share      their share of all the plan's counted interrupts, NaN when nothing was counted
 */
public record CpuShare(int cpu, int irqs, long interrupts, double share) {
    /** One per usable CPU of the plan, in CPU order, idle ones included. */
    public static List<CpuShare> of(Plan plan, Map<Integer, Long> weights) {
        CpuSet usable = plan.usable();
        int[] count = new int[usable.size()];
        long[] weight = new long[usable.size()];
        long total = 0;
        for (Placement p : plan.placements()) {
            int i = usable.indexOf(p.cpu());
            long w = weights.getOrDefault(p.irq(), 0L);
            count[i]++;
            weight[i] += w;
            total += w;
        }
        List<CpuShare> shares = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
            shares.add(new CpuShare(usable.get(i), count[i], weight[i], total == 0 ? Double.NaN : weight[i] / (double) total));
        }
        return List.copyOf(shares);
    }
}
