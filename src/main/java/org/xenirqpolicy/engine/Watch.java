package org.xenirqpolicy.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.IrqLine;

/**
 * Interrupt rates of the event channels, for status --watch: each read of the host is compared
 * with the one before, so that every interrupt is counted in exactly one refresh, however long
 * a read takes.
 */
public final class Watch {
    /** @param perSecond interrupts per second on all CPUs */
    public record IrqRate(EventChannel irq, double perSecond) {
    }

    /**
     * @param perSecond interrupts per second of all event channels on this CPU (also those that
     *                  were elsewhere for part of the interval)
     * @param irqs      the event channels bound to it now, busiest first
     */
    public record CpuRate(int cpu, boolean usable, double perSecond, List<IrqRate> irqs) {
    }

    /**
     * @param seconds  the interval the rates are over, as measured
     * @param unbound  event channels bound to no single CPU (not in any CPU's list)
     */
    public record Frame(double seconds, int eventChannels, List<CpuRate> cpus, int unbound) {
    }

    private final Engine.Planned first;
    private InterruptsTable last;
    private long lastNanos;

    private Watch(Engine.Planned first, long nanos) {
        this.first = first;
        this.last = first.snapshot().interrupts();
        this.lastNanos = nanos;
    }

    /** The first read, which the first frame is measured from. */
    public static Watch start(Host host) {
        return new Watch(read(host), System.nanoTime());
    }

    /** The event channels of the first read: what the IRQ arguments are checked against. */
    public Engine.Planned first() {
        return first;
    }

    /** Reads the host again: the rates since the previous read. */
    public Frame next(Host host) {
        Engine.Planned now = read(host);
        long nanos = System.nanoTime();
        double seconds = Math.max(1e-9, (nanos - lastNanos) / 1e9);
        InterruptsTable table = now.snapshot().interrupts();
        Map<Integer, IrqLine> before = new HashMap<>();
        for (IrqLine line : last.irqs()) {
            before.put(line.irq(), line);
        }
        Map<Integer, IrqLine> after = new HashMap<>();
        for (IrqLine line : table.irqs()) {
            after.put(line.irq(), line);
        }
        List<CpuRate> cpus = new ArrayList<>();
        int unbound = 0;
        for (EventChannel irq : now.irqs()) {
            unbound += irq.currentCpu() < 0 ? 1 : 0;
        }
        for (int cpu : now.snapshot().online().stream().toArray()) {
            long interrupts = 0;
            List<IrqRate> here = new ArrayList<>();
            for (EventChannel irq : now.irqs()) {
                IrqLine a = after.get(irq.irq());
                IrqLine b = before.get(irq.irq());
                if (a != null) {
                    interrupts += InterruptsTable.growth(table.countOn(a, cpu), b == null ? 0 : last.countOn(b, cpu));
                }
                if (irq.currentCpu() == cpu) {
                    long total = a == null ? 0 : InterruptsTable.growth(a.total(), b == null ? 0 : b.total());
                    here.add(new IrqRate(irq, total / seconds));
                }
            }
            here.sort(Comparator.comparingDouble(IrqRate::perSecond).reversed()
                    .thenComparingInt(r -> r.irq().irq()));
            cpus.add(new CpuRate(cpu, now.plan().usable().contains(cpu), interrupts / seconds, here));
        }
        last = table;
        lastNanos = nanos;
        return new Frame(seconds, now.irqs().size(), cpus, unbound);
    }

    private static Engine.Planned read(Host host) {
        return Engine.plan(host, new Engine.Options(null, false, 0));
    }
}
