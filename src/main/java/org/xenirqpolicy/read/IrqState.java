package org.xenirqpolicy.read;

import org.xenirqpolicy.model.CpuSet;

/**
 * What the host says about one IRQ.
 *
 * @param line      its /proc/interrupts line
 * @param chip      /sys/kernel/irq/N/chip_name, or the chip token of the line on kernels before 4.12
 * @param name      /sys/kernel/irq/N/actions, or the action names of the line
 * @param affinity  /proc/irq/N/smp_affinity_list; empty if not read or unreadable
 * @param effective /proc/irq/N/effective_affinity_list (Linux 4.13+); empty if not read or absent
 * @param detailed  whether name, affinity and effective were read: only for IRQs whose chip we
 *                  may place, so that hosts with thousands of device IRQs stay cheap to read
 */
public record IrqState(IrqLine line, String chip, String name, CpuSet affinity, CpuSet effective,
        boolean detailed) {
    public int irq() {
        return line.irq();
    }
}
