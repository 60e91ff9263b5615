package org.xenirqpolicy.read;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.xenirqpolicy.model.CpuSet;

/**
 * /proc/interrupts as parsed. The column CPUs are copied in and out, and compared by content,
 * so that the table is a value like any other record.
 *
 * @param cpuOfColumn  the CPU id of each count column, from the header: a kernel with CPU 1
 *                     offline prints {@code CPU0 CPU2 CPU3}, so column 1 is CPU 2
 * @param irqs         the numbered lines, in file order
 * @param skippedLines lines that fit no known layout; they are counted, never fatal
 * @param firstSkippedLine 1-based number of the first skipped line, 0 if none
 */
public record InterruptsTable(int[] cpuOfColumn, List<IrqLine> irqs, int skippedLines,
        int firstSkippedLine) {
    public InterruptsTable {
        cpuOfColumn = cpuOfColumn.clone();
        irqs = List.copyOf(irqs);
    }

    @Override
    public int[] cpuOfColumn() {
        return cpuOfColumn.clone();
    }

    public CpuSet columnCpus() {
        return CpuSet.of(cpuOfColumn);
    }

    /**
     * Whether the table reads as the kernel prints it: one line per IRQ, in increasing IRQ order
     * (show_interrupts walks the IRQ numbers upwards), and no line that fits no layout. An action
     * name with a newline in it (evtchn: and a process name, which its process chooses) cuts its
     * line there, and what follows the newline may read as a line of its own: a fragment, or a
     * forged line for an IRQ printed before or after it. Only in such a table are the names of
     * the lines ({@link IrqLine#actionsExact}) taken for those of sysfs; else every name is read
     * there. A forged line for an IRQ that no line shows still fits: such an IRQ does not exist
     * (its chip and name then come from the line, as they did before this rule, and its write
     * fails: it is gone), or it has no action, whose name the hook reads as empty and for which
     * it takes the plan's CPU whatever name the plan gives; its chip is confirmed by chip_name.
     */
    public boolean inKernelOrder() {
        if (skippedLines > 0) {
            return false;
        }
        for (int i = 1; i < irqs.size(); i++) {
            if (irqs.get(i).irq() <= irqs.get(i - 1).irq()) {
                return false;
            }
        }
        return true;
    }

    /** Interrupts the line counted on {@code cpu}, 0 if that CPU has no column. */
    public long countOn(IrqLine line, int cpu) {
        for (int column = 0; column < cpuOfColumn.length; column++) {
            if (cpuOfColumn[column] == cpu) {
                return line.countIn(column);
            }
        }
        return 0;
    }

    /**
     * Interrupts counted between two reads of one counter of /proc/interrupts ({@code then}
     * read before {@code now}): the rule for a counter that went down, in one place. The
     * kernel's counts of an IRQ only grow while its descriptor lives; one lower than before
     * means the descriptor was freed and the number requested again (a guest's event channel
     * closed and another bound, a device unbound and bound), so counting began anew from 0 in
     * between and all of {@code now} is new. What the old descriptor took after {@code then} is
     * lost with it: the result is a lower bound, never negative. A line's total, the sum over the
     * columns (the online CPUs), also goes down when a CPU goes offline and its column
     * disappears: that one interval is then miscounted (short by the CPU's count, or the whole
     * since-boot count when that is more than the growth); a per-CPU count has no such case.
     */
    public static long growth(long now, long then) {
        return now >= then ? now - then : now;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterruptsTable other && Arrays.equals(cpuOfColumn, other.cpuOfColumn) && irqs.equals(other.irqs)
                && skippedLines == other.skippedLines && firstSkippedLine == other.firstSkippedLine;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(cpuOfColumn), irqs, skippedLines, firstSkippedLine);
    }

    @Override
    public String toString() {
        return "InterruptsTable[cpuOfColumn=" + Arrays.toString(cpuOfColumn) + ", irqs=" + irqs + ", skippedLines=" + skippedLines
                + ", firstSkippedLine=" + firstSkippedLine + "]";
    }
}
