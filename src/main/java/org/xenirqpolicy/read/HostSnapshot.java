package org.xenirqpolicy.read;

import java.util.List;
import java.util.Set;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;

/**
 * Everything the planner needs from one read of the host.
 *
 * @param interrupts       /proc/interrupts as parsed
 * @param irqs             every numbered IRQ with its sysfs state, in /proc/interrupts order
 * @param online           /sys/devices/system/cpu/online, or the /proc/interrupts columns where absent
 * @param isolated         /sys/devices/system/cpu/isolated (isolcpus=); empty where absent
 * @param nohzFull         /sys/devices/system/cpu/nohz_full (nohz_full=, tickless CPUs); empty where
 *                         absent or "(null)", which kernels built with it print when it is not used
 * @param pciIrqs          IRQs that belong to a PCI device (its msi_irqs, or its legacy irq)
 * @param irqbalanceBanned CPUs banned in /etc/sysconfig/irqbalance
 * @param settings         /etc/sysconfig/xen-irq-policy, or the defaults where absent
 * @param irqbalanceBannedIrqs IRQs irqbalance is told to leave alone (--banirq in IRQBALANCE_ARGS)
 */
public record HostSnapshot(InterruptsTable interrupts, List<IrqState> irqs, CpuSet online, CpuSet isolated,
        CpuSet nohzFull, Set<Integer> pciIrqs, CpuSet irqbalanceBanned, Settings settings,
        Exclusions irqbalanceBannedIrqs) {
}
