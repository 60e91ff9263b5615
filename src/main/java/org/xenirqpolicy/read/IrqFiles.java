package org.xenirqpolicy.read;

/**
 * The per-IRQ kernel files, built in one place: read here, written by the apply stage and by the
 * irqbalance hook (which spells the affinity path in sh). In {@code read}, the first stage, so
 * that every later stage may use it without an import cycle.
 */
public final class IrqFiles {
    private IrqFiles() {
    }

    /** The CPU list IRQ {@code irq} may be delivered to: what apply and the hook write. */
    public static String affinity(int irq) {
        return "/proc/irq/" + irq + "/smp_affinity_list";
    }

    /** The CPUs IRQ {@code irq} is actually delivered to (Linux 4.13+): shown, never written. */
    public static String effectiveAffinity(int irq) {
        return "/proc/irq/" + irq + "/effective_affinity_list";
    }
}
