package org.xenirqpolicy.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;

/**
 * Places by observed interrupt rate, longest processing time first: the busiest IRQ goes to the
 * least loaded CPU, then the next. Each IRQ is placed on its own, tx apart from rx, because with
 * real rates one hot queue may need two CPUs. Kept placements load their CPUs first, and so do
 * excluded IRQs bound to one usable CPU: a busy IRQ pinned by hand on CPU 3 does load CPU 3.
 */
final class LoadStrategy {
    private LoadStrategy() {
    }

    static List<Placement> place(List<EventChannel> irqs, CpuSet usable, Map<Integer, Integer> kept,
            Map<Integer, Long> rates, List<EventChannel> left) {
        int n = usable.size();
        long[] load = new long[n];
        int[] count = new int[n];
        for (EventChannel irq : left) {
            int i = irq.currentCpu() < 0 ? -1 : usable.indexOf(irq.currentCpu());
            if (i >= 0) {
                load[i] += rate(rates, irq);
                count[i]++;
            }
        }
        List<Placement> out = new ArrayList<>(irqs.size());
        List<EventChannel> fresh = new ArrayList<>();
        for (EventChannel irq : irqs) {
            Integer cpu = kept.get(irq.irq());
            if (cpu == null) {
                fresh.add(irq);
            } else {
                int i = usable.indexOf(cpu);
                load[i] += rate(rates, irq);
                count[i]++;
                out.add(new Placement(irq.irq(), cpu, irq.name()));
            }
        }
        fresh.sort(Comparator.comparingLong((EventChannel irq) -> -rate(rates, irq)).thenComparingInt(EventChannel::irq));
        for (EventChannel irq : fresh) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                boolean lessLoaded = load[i] < load[best];
                boolean asLoadedWithFewerIrqs = load[i] == load[best] && count[i] < count[best];
                if (lessLoaded || asLoadedWithFewerIrqs) {
                    best = i;
                }
            }
            load[best] += rate(rates, irq);
            count[best]++;
            out.add(new Placement(irq.irq(), usable.get(best), irq.name()));
        }
        return out;
    }

    private static long rate(Map<Integer, Long> rates, EventChannel irq) {
        return Math.max(0, rates.getOrDefault(irq.irq(), 0L));
    }
}
