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

    /** Interrupts the line counted on {@code cpu}, 0 if that CPU has no column. */
    public long countOn(IrqLine line, int cpu) {
        for (int column = 0; column < cpuOfColumn.length; column++) {
            if (cpuOfColumn[column] == cpu) {
                return line.countIn(column);
            }
        }
        return 0;
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
