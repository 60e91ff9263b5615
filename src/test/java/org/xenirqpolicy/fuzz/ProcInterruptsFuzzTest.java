package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.ProcInterrupts;

/**
 * /proc/interrupts comes from the host (or a copied sosreport under --root): whatever it holds,
 * the parser either reads it or reports bad input, which the CLI turns into exit status 2.
 * Seeds: the field captures in ../shared/fixtures.
 */
class ProcInterruptsFuzzTest {
    @FuzzTest
    @DictionaryEntries({"CPU0", "CPU1", "CPU12", "xen-dyn", "xen-dyn-lateeoi", "-event", "xen-percpu", "-virq",
            "IR-PCI-MSI", "524288-edge", "NMI:", "LOC:", "ERR:", "vif26.0-q0-tx"})
    void parseThrowsOnlyInputExceptionAndNeverCountsMoreLinesThanItRead(@NotNull String text) {
        InterruptsTable table;
        try {
            table = ProcInterrupts.parse(text);
        } catch (InputException documentedBadInput) {
            return;
        }
        int linesAfterHeader = nonBlankLinesAfterHeader(text);
        int accounted = table.skippedLines() + table.irqs().size();
        assertTrue(accounted <= linesAfterHeader,
                accounted + " lines accounted for, " + linesAfterHeader + " non-blank after the header in: " + text);
    }

    /** Counted here independently of the parser: lines end at \n, the header is the first non-blank line. */
    private static int nonBlankLinesAfterHeader(String text) {
        boolean headerSeen = false;
        int count = 0;
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            if (headerSeen) {
                count++;
            }
            headerSeen = true;
        }
        return count;
    }
}
