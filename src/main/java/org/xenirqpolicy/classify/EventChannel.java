package org.xenirqpolicy.classify;

import org.xenirqpolicy.model.CpuSet;

/**
 * A Xen event-channel IRQ that we place.
 *
 * @param irq       Linux IRQ number
 * @param name      its action name, such as {@code vif26.0-q0-tx}
 * @param chip      xen-dyn, xen-dyn-lateeoi or xen-dyn-event
 * @param device    what it serves
 * @param affinity  current smp_affinity_list (empty if unknown)
 * @param effective current effective_affinity_list (empty if unknown)
 * @param total     interrupts taken so far, all CPUs
 */
public record EventChannel(int irq, String name, String chip, Device device, CpuSet affinity, CpuSet effective,
        long total) {

    /** The one CPU it runs on now, if that can be told: the effective affinity, else a single-CPU affinity. */
    public int currentCpu() {
        if (effective.isSingle()) {
            return effective.get(0);
        }
        return affinity.isSingle() ? affinity.get(0) : -1;
    }
}
