package org.xenirqpolicy.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.Device;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;

/**
 * Places by structure, without traffic figures:
 * <ol>
 * <li>Each network queue is one unit: its tx and rx channels share a CPU, since both work on the
 *     same queue's rings and one CPU keeps them in its cache.</li>
 * <li>Units are dealt over the usable CPUs, guest by guest, interface by interface, queue by
 *     queue: each goes to a CPU holding no other queue of its interface if there is one, then to
 *     the CPU with the fewest queues, then to the next CPU round from the last one dealt to. So
 *     the queues of one interface land on distinct CPUs and each guest continues where the
 *     previous one stopped, which deals all guests' queues evenly.</li>
 * <li>Light channels (xenbus, consoles, evtchn, blkback, other) then fill the CPUs with the
 *     fewest IRQs.</li>
 * </ol>
 * IRQs that keep a previous placement count first, so new guests fill around them, and so do
 * excluded IRQs bound to one usable CPU, as IRQs there (and with their rates, when rates are given).
 * A queue whose channels all keep their CPUs keeps each of them, apart if an adaptive run moved
 * its tx off its rx; a queue placed anew is placed together.
 *
 * <p>Given the rates of the IRQs that stay (the adaptive mode's last sample, see Engine), the
 * fewest queues and the fewest IRQs give way to the least load: each new queue goes, still first
 * to a CPU holding no other queue of its interface, to the CPU with the least load, and each new
 * light IRQ likewise. A new IRQ's own traffic is not known yet (a starting guest has barely sent
 * any), so each counts at the mean rate of the staying IRQs of its kind (queue channel or light).
 * Counting queues instead would deal a starting guest onto CPUs that the running guests' traffic
 * already fills, for an adaptive run to move off again. Without rates (empty), or where they
 * tie, the order is the count's, as above.
 */
final class SpreadStrategy {
    private SpreadStrategy() {
    }

    /** One network queue: the channels that share a CPU. */
    private record Unit(Device.NetQueue queue, List<EventChannel> irqs) {
    }

    private static final Comparator<Unit> DEAL_ORDER = Comparator
            .comparingInt((Unit u) -> unknownLast(u.queue().domain()))
            .thenComparingInt(u -> unknownLast(u.queue().vif()))
            .thenComparing(u -> u.queue().iface())
            .thenComparingInt(u -> u.queue().queue());

    /**
     * @param load interrupts per IRQ of the last sample, for the IRQs that stay (kept and left);
     *             empty deals by count alone
     */
    static List<Placement> place(List<EventChannel> irqs, CpuSet usable, Map<Integer, Integer> kept,
            List<EventChannel> left, Map<Integer, Long> load) {
        int n = usable.size();
        int[] units = new int[n];
        int[] irqCount = new int[n];
        CpuLoad cpuLoad = new CpuLoad(n, load);
        for (EventChannel irq : left) {
            int i = irq.currentCpu() < 0 ? -1 : usable.indexOf(irq.currentCpu());
            if (i >= 0) {
                irqCount[i]++;
                cpuLoad.stays(irq, i);
            }
        }
        for (EventChannel irq : irqs) {
            Integer cpu = kept.get(irq.irq());
            if (cpu != null) {
                cpuLoad.stays(irq, usable.indexOf(cpu));
            }
        }
        Map<String, int[]> unitsOfIface = new HashMap<>();
        List<Placement> out = new ArrayList<>(irqs.size());

        Map<String, Unit> byQueue = new LinkedHashMap<>();
        List<EventChannel> light = new ArrayList<>();
        for (EventChannel irq : irqs) {
            if (irq.device() instanceof Device.NetQueue q) {
                byQueue.computeIfAbsent(q.iface() + "\n" + q.queue(), k -> new Unit(q, new ArrayList<>())).irqs().add(irq);
            } else {
                light.add(irq);
            }
        }
        List<Unit> sorted = byQueue.values().stream().sorted(DEAL_ORDER).toList();

        // Units and light IRQs that keep their CPU are counted before anything new is dealt.
        List<Unit> fresh = new ArrayList<>();
        for (Unit unit : sorted) {
            Integer cpu = unit.irqs().stream().map(irq -> kept.get(irq.irq())).filter(c -> c != null).findFirst()
                    .orElse(null);
            if (cpu == null) {
                fresh.add(unit);
            } else if (unit.irqs().stream().allMatch(irq -> kept.containsKey(irq.irq()))) {
                keepEach(unit, kept, usable, units, irqCount, unitsOfIface, out);
            } else {
                // A queue partly kept: its new channels join the kept one and count at the mean.
                int index = usable.indexOf(cpu);
                assignUnit(unit, index, usable, units, irqCount, unitsOfIface, out);
                cpuLoad.at[index] += cpuLoad.meanQueueChannel()
                        * unit.irqs().stream().filter(irq -> !kept.containsKey(irq.irq())).count();
            }
        }
        List<EventChannel> freshLight = new ArrayList<>();
        for (EventChannel irq : light) {
            Integer cpu = kept.get(irq.irq());
            if (cpu == null) {
                freshLight.add(irq);
            } else {
                irqCount[usable.indexOf(cpu)]++;
                out.add(new Placement(irq.irq(), cpu, irq.name()));
            }
        }

        int next = 0;
        for (Unit unit : fresh) {
            int[] ofIface = unitsOfIface.computeIfAbsent(unit.queue().iface(), k -> new int[n]);
            int best = -1;
            for (int step = 0; step < n; step++) {
                int i = (next + step) % n;
                boolean first = best < 0;
                boolean fewerOfThisIface = !first && ofIface[i] < ofIface[best];
                boolean asManyOfThisIface = !first && ofIface[i] == ofIface[best];
                boolean lessLoaded = asManyOfThisIface && cpuLoad.at[i] < cpuLoad.at[best];
                boolean asLoadedFewerUnits = asManyOfThisIface && cpuLoad.at[i] == cpuLoad.at[best]
                        && units[i] < units[best];
                if (first || fewerOfThisIface || lessLoaded || asLoadedFewerUnits) {
                    best = i;
                }
            }
            assignUnit(unit, best, usable, units, irqCount, unitsOfIface, out);
            cpuLoad.at[best] += cpuLoad.meanQueueChannel() * unit.irqs().size();
            next = (best + 1) % n;
        }
        for (EventChannel irq : freshLight) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                boolean lessLoaded = cpuLoad.at[i] < cpuLoad.at[best];
                boolean asLoaded = cpuLoad.at[i] == cpuLoad.at[best];
                boolean fewerIrqs = asLoaded && irqCount[i] < irqCount[best];
                boolean asManyIrqsFewerUnits = asLoaded && irqCount[i] == irqCount[best] && units[i] < units[best];
                if (lessLoaded || fewerIrqs || asManyIrqsFewerUnits) {
                    best = i;
                }
            }
            irqCount[best]++;
            cpuLoad.at[best] += cpuLoad.meanLight();
            out.add(new Placement(irq.irq(), usable.get(best), irq.name()));
        }
        return out;
    }

    /**
     * The load per CPU index of the IRQs that stay, and the mean rate of each kind that new IRQs
     * count at: that of the staying IRQs of the kind, or of all staying IRQs when none of the kind
     * has a rate (a new queue counted at 0 would never go where traffic already is).
     */
    private static final class CpuLoad {
        /** No window counts this many interrupts; a larger figure (a forged state) cannot overflow the sums. */
        private static final long MAX_RATE = 1L << 40;

        final long[] at;
        private final Map<Integer, Long> rates;
        private long queueSum;
        private long queueChannels;
        private long lightSum;
        private long lights;

        CpuLoad(int n, Map<Integer, Long> rates) {
            this.at = new long[n];
            this.rates = rates;
        }

        /** An IRQ that stays on CPU index i; one without a rate counts nothing (nor in the means). */
        void stays(EventChannel irq, int i) {
            Long rate = rates.get(irq.irq());
            if (rate == null) {
                return;
            }
            long r = Math.min(MAX_RATE, Math.max(0, rate));
            at[i] += r;
            if (irq.device() instanceof Device.NetQueue) {
                queueSum += r;
                queueChannels++;
            } else {
                lightSum += r;
                lights++;
            }
        }

        long meanQueueChannel() {
            return queueChannels > 0 ? queueSum / queueChannels : meanOfAll();
        }

        long meanLight() {
            return lights > 0 ? lightSum / lights : meanOfAll();
        }

        private long meanOfAll() {
            return queueChannels + lights == 0 ? 0 : (queueSum + lightSum) / (queueChannels + lights);
        }
    }

    private static void assignUnit(Unit unit, int index, CpuSet usable, int[] units, int[] irqCount,
            Map<String, int[]> unitsOfIface, List<Placement> out) {
        units[index]++;
        irqCount[index] += unit.irqs().size();
        unitsOfIface.computeIfAbsent(unit.queue().iface(), k -> new int[usable.size()])[index]++;
        for (EventChannel irq : unit.irqs()) {
            out.add(new Placement(irq.irq(), usable.get(index), irq.name()));
        }
    }

    /**
     * A queue whose channels all keep their CPUs: each stays where it is, even apart (an adaptive
     * run may have moved a queue's tx away from its rx, see Adaptive); it counts as a unit on each
     * CPU it occupies.
     */
    private static void keepEach(Unit unit, Map<Integer, Integer> kept, CpuSet usable, int[] units, int[] irqCount,
            Map<String, int[]> unitsOfIface, List<Placement> out) {
        int[] ofIface = unitsOfIface.computeIfAbsent(unit.queue().iface(), k -> new int[usable.size()]);
        boolean[] counted = new boolean[usable.size()];
        for (EventChannel irq : unit.irqs()) {
            int cpu = kept.get(irq.irq());
            int index = usable.indexOf(cpu);
            if (!counted[index]) {
                counted[index] = true;
                units[index]++;
                ofIface[index]++;
            }
            irqCount[index]++;
            out.add(new Placement(irq.irq(), cpu, irq.name()));
        }
    }

    private static int unknownLast(int id) {
        return id < 0 ? Integer.MAX_VALUE : id;
    }
}
