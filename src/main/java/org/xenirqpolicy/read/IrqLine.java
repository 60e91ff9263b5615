package org.xenirqpolicy.read;

/**
 * One numbered line of /proc/interrupts.
 *
 * @param irq     the Linux IRQ number
 * @param counts  interrupts taken so far, one per column of the header (see
 *                {@link InterruptsTable#cpuOfColumn})
 * @param chip    the chip token as printed: {@code xen-dyn}, {@code xen-dyn-lateeoi}, or on old
 *                kernels the chip and handler run together, {@code xen-dyn-event}
 * @param handler the flow handler printed after the chip, such as {@code -event} or
 *                {@code 524288-edge}; empty where the kernel glued it to the chip or printed none
 * @param actions the action names, comma-separated as the kernel prints them; may be empty
 */
public record IrqLine(int irq, long[] counts, String chip, String handler, String actions) {
    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }
}
