package org.xenirqpolicy.read;

import java.util.Arrays;
import java.util.Objects;

/**
 * One numbered line of /proc/interrupts. The counts are copied in and out, and compared by
 * content, so that the line is a value like any other record.
 *
 * @param irq     the Linux IRQ number
 * @param counts  interrupts taken so far, one per column of the header (see
 *                {@link InterruptsTable#cpuOfColumn})
 * @param chip    the chip token as printed: {@code xen-dyn}, {@code xen-dyn-lateeoi}, or on old
 *                kernels the chip and handler run together, {@code xen-dyn-event}
 * @param actions the action names, comma-separated as the kernel prints them; may be empty
 * @param actionsExact whether {@code actions} is, byte for byte, what the hook reads from
 *                {@code /sys/kernel/irq/N/actions} for this line, as far as the line itself
 *                can tell (see {@link ProcInterrupts}); if false, only that file says
 */
public record IrqLine(int irq, long[] counts, String chip, String actions, boolean actionsExact) {
    public IrqLine {
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Interrupts counted in one column of the header, without copying the counts. */
    public long countIn(int column) {
        return counts[column];
    }

    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IrqLine other && irq == other.irq && Arrays.equals(counts, other.counts)
                && chip.equals(other.chip) && actions.equals(other.actions) && actionsExact == other.actionsExact;
    }

    @Override
    public int hashCode() {
        return Objects.hash(irq, Arrays.hashCode(counts), chip, actions, actionsExact);
    }

    @Override
    public String toString() {
        return "IrqLine[irq=" + irq + ", counts=" + Arrays.toString(counts) + ", chip=" + chip + ", actions=" + actions
                + ", actionsExact=" + actionsExact + "]";
    }
}
