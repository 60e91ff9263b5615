package org.xenirqpolicy.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.xenirqpolicy.model.CpuSet;

/**
 * Generates a dom0 as the kernel would show it, with IRQ numbers allocated in the order Linux
 * allocates them: per-CPU timers and IPIs, legacy and PCI-MSI devices through xen-pirq, the global
 * VIRQs and xenbus, then per guest its xenstored and xenconsoled channels, its vif queues and its
 * blkback disks. Counts pile up on the first CPU, as on a dom0 that nobody balanced.
 *
 * @param cpus     the online CPUs (gaps allowed)
 * @param guests   number of guests, domain ids 1..guests
 * @param vifs     network interfaces per guest
 * @param queues   queues per interface
 * @param disks    blkback disks per guest
 * @param pciMsi   PCI-MSI vectors (xen-pirq -msi-x) of dom0's own devices
 * @param chip     the event-channel chip of the backends: xen-dyn or xen-dyn-lateeoi
 * @param traffic  interrupts so far of each xen-dyn IRQ, by its name
 */
public record SyntheticDom0(CpuSet cpus, int guests, int vifs, int queues, int disks, int pciMsi, String chip,
        ToLongFunction<String> traffic) {

    /**
     * The dom0 of the fault and sandbox tests: 8 CPUs, 40 guests of 2 interfaces of 4 queues and
     * 2 disks, 8 MSI vectors of a PCI device, xen-dyn-lateeoi.
     */
    public static final SyntheticDom0 FORTY_GUESTS = new SyntheticDom0(CpuSet.parseList("0-7"), 40, 2, 4, 2, 8,
            "xen-dyn-lateeoi", uniformQueues(3000, 1000, 20));

    /** One generated IRQ. */
    public record Irq(int irq, String chip, String handler, String name, long total, boolean pci) {
    }

    public static ToLongFunction<String> uniformQueues(long tx, long rx, long light) {
        return name -> name.endsWith("-tx") ? tx : name.endsWith("-rx") ? rx : light;
    }

    public List<Irq> irqs() {
        List<Irq> irqs = new ArrayList<>();
        int next = 1;
        for (String legacy : List.of("i8042", "rtc0", "acpi")) {
            irqs.add(new Irq(next++, "xen-pirq", "-ioapic-edge", legacy, 10, false));
        }
        next = 24;
        for (int cpu : cpus.stream().toArray()) {
            for (String percpu : List.of("timer", "spinlock", "resched", "callfunc", "callfuncsingle", "irqwork")) {
                irqs.add(new Irq(next++, "xen-percpu", percpu.equals("timer") ? "-virq" : "-ipi", percpu + cpu, 1000, false));
            }
        }
        for (int v = 0; v < pciMsi; v++) {
            irqs.add(new Irq(next++, "xen-pirq", "-msi-x", "nvme0q" + v, 5000, true));
        }
        irqs.add(dyn(next++, "xen-dyn", "-event", "xenbus"));
        irqs.add(dyn(next++, "xen-dyn", "-virq", "xen-pcpu"));
        irqs.add(dyn(next++, "xen-dyn", "-virq", "mce"));
        irqs.add(dyn(next++, "xen-dyn", "-virq", "hvc_console"));
        for (int d = 1; d <= guests; d++) {
            irqs.add(dyn(next++, chip, "-event", "evtchn:xenstored"));
            irqs.add(dyn(next++, chip, "-event", "evtchn:xenconsoled"));
            for (int v = 0; v < vifs; v++) {
                for (int q = 0; q < queues; q++) {
                    irqs.add(dyn(next++, chip, "-event", "vif" + d + "." + v + "-q" + q + "-tx"));
                    irqs.add(dyn(next++, chip, "-event", "vif" + d + "." + v + "-q" + q + "-rx"));
                }
            }
            for (int b = 0; b < disks; b++) {
                irqs.add(dyn(next++, chip, "-event", "blkif-backend"));
            }
        }
        return irqs;
    }

    private Irq dyn(int irq, String chipName, String handler, String name) {
        return new Irq(irq, chipName, handler, name, traffic.applyAsLong(name), false);
    }

    /** /proc/interrupts for {@link #irqs()}: all counts on the first CPU column. */
    public String procInterrupts() {
        StringBuilder out = new StringBuilder("     ");
        int[] ids = cpus.stream().toArray();
        for (int id : ids) {
            out.append(String.format("  %-9s", "CPU" + id));
        }
        out.append('\n');
        for (Irq irq : irqs()) {
            out.append(String.format("%4d:", irq.irq()));
            for (int i = 0; i < ids.length; i++) {
                out.append(String.format(" %10d", i == 0 ? irq.total() : 0));
            }
            out.append(String.format("  %-8s %-10s %s%n", irq.chip(), irq.handler(), irq.name()));
        }
        out.append(String.format("%4s:", "NMI"));
        for (int i = 0; i < ids.length; i++) {
            out.append(String.format(" %10d", 0));
        }
        out.append("   Non-maskable interrupts\nERR:          0\nMIS:          0\n");
        return out.toString();
    }

    /** Lays the dom0 out under a tree: /proc, /sys/kernel/irq, the CPU tree and the PCI device owning the MSI vectors. */
    public HostTree layOut(HostTree tree) {
        tree.fromInterrupts(procInterrupts(), true);
        for (Irq irq : irqs()) {
            if (irq.pci()) {
                tree.write("/sys/bus/pci/devices/0000:01:00.0/msi_irqs/" + irq.irq(), "msix\n");
            }
        }
        return tree;
    }

    /** The generated xen-dyn totals by IRQ, for checking plans against traffic. */
    public Map<Integer, Long> eventChannelTraffic() {
        Map<Integer, Long> traffic = new LinkedHashMap<>();
        for (Irq irq : irqs()) {
            if (irq.chip().startsWith("xen-dyn")) {
                traffic.put(irq.irq(), irq.total());
            }
        }
        return traffic;
    }
}
