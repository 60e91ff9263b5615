package org.xenirqpolicy.read;

import java.util.List;
import org.xenirqpolicy.model.CpuSet;

/**
 * /proc/interrupts as parsed.
 *
 * @param cpuOfColumn  the CPU id of each count column, from the header: a kernel with CPU 1
 *                     offline prints {@code CPU0 CPU2 CPU3}, so column 1 is CPU 2
 * @param irqs         the numbered lines, in file order
 * @param summaryRows  how many architecture summary rows (NMI, LOC, ERR, MIS ...) were read
 * @param skippedLines lines that fit no known layout; they are counted, never fatal
 * @param firstSkippedLine 1-based number of the first skipped line, 0 if none
 */
public record InterruptsTable(int[] cpuOfColumn, List<IrqLine> irqs, int summaryRows, int skippedLines,
        int firstSkippedLine) {

    public CpuSet columnCpus() {
        return CpuSet.of(cpuOfColumn);
    }

    /** Interrupts the line counted on {@code cpu}, 0 if that CPU has no column. */
    public long countOn(IrqLine line, int cpu) {
        for (int column = 0; column < cpuOfColumn.length; column++) {
            if (cpuOfColumn[column] == cpu) {
                return line.counts()[column];
            }
        }
        return 0;
    }
}
